import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  type DocumentNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { CostDirectives } from './cost-directives';

/** Options for the cost model. */
export interface CostModelOptions {
  directives: CostDirectives;
  /** Size assumed for a list with neither a slicing argument nor `@listSize`; default 10. */
  defaultListSize?: number;
  /** Extra weight of each mutation root field (it writes); default 10. */
  mutationWeight?: number;
}

/** Arguments that bound a list when no `@listSize` names them. */
const DEFAULT_SLICING = ['first', 'last', 'limit'];

/**
 * The static cost of an operation, in the spirit of the IBM GraphQL cost spec
 * (as Apollo Router's demand control applies it): an object field costs 1 and a
 * leaf 0 unless `@cost` says otherwise; a list multiplies what it returns by its
 * slicing argument (`first`, `last`, `limit` or those `@listSize` names), else
 * by `@listSize(assumedSize)`, else by the default size. A connection's
 * `edges`/`nodes` are sized by the field that returned the connection.
 */
export function createCostEstimator(options: CostModelOptions): ComplexityEstimator {
  const defaultListSize = options.defaultListSize ?? 10;
  return ({ type, field, args, childComplexity }) => {
    // Introspection is off in production; in development GraphiQL's own query must not be priced out.
    if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
    const declared = options.directives.get(`${type.name}.${field.name}`);
    const returned = getNamedType(field.type);
    const weight = fieldWeight(options, type, field);

    const slicing = declared?.slicingArguments ?? DEFAULT_SLICING;
    const sliced = slicing.map((name) => args[name]).find((v): v is number => typeof v === 'number');
    const size = Math.max(0, sliced ?? declared?.assumedSize ?? defaultListSize);
    const list = isListType(getNullableType(field.type));
    if (list) {
      // A connection's list child is already sized by its parent's `first`.
      const sizedByParent = field.name === 'edges' || field.name === 'nodes';
      return sizedByParent && type.name.endsWith('Connection') ? weight + childComplexity : size * (weight + childComplexity);
    }
    const sizesChildren = sliced !== undefined || declared?.sizedFields !== undefined || declared?.assumedSize !== undefined;
    return sizesChildren && isCompositeType(returned) ? weight + size * childComplexity : weight + childComplexity;
  };
}

/**
 * What one occurrence of a field costs by itself: its `@cost`, else its type's,
 * else 1 for an object and 0 for a leaf, plus the write weight on a mutation root field.
 */
export function fieldWeight(options: CostModelOptions, type: GraphQLNamedType, field: GraphQLField<unknown, unknown>): number {
  if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
  const returned = getNamedType(field.type);
  const declared = options.directives.get(`${type.name}.${field.name}`)?.weight;
  const weight = declared ?? options.directives.get(returned.name)?.weight ?? (isCompositeType(returned) ? 1 : 0);
  return isObjectType(type) && type.name === 'Mutation' ? weight + (options.mutationWeight ?? 10) : weight;
}

/** The static cost of one operation of `document` with these variables. */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  estimator: ComplexityEstimator,
): number {
  return getComplexity({ schema, query: document, variables, operationName, estimators: [estimator] });
}
