import {
  getNamedType,
  getOperationAST,
  isCompositeType,
  isObjectType,
  Kind,
  typeFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { fieldWeight, type CostModelOptions } from './estimate-cost';

/**
 * The cost of what an operation actually returned, by the same weights as the
 * static cost but counting list items that came back rather than the sizes
 * assumed (Shopify's and the IBM spec's `actualQueryCost`). Walks the response
 * data; a field counts where its response key is present.
 */
export function actualCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  data: Record<string, unknown> | null | undefined,
  options: CostModelOptions,
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation || !data) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  function walk(type: GraphQLCompositeType, selectionSet: SelectionSetNode, value: Record<string, unknown>, seen: Set<string>): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        // The same key selected twice is one field in the response: count it once.
        if (!(key in value) || seen.has(key) || !('getFields' in type)) continue;
        seen.add(key);
        const field = type.getFields()[selection.name.value];
        if (!field) continue;
        total += costOf(field.type, type, field, selection.selectionSet, value[key]);
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) continue;
      const condition = fragment.typeCondition ? typeFromAST(schema, fragment.typeCondition) : type;
      const narrowed = condition && isCompositeType(condition) ? condition : type;
      total += walk(narrowed, fragment.selectionSet, value, seen);
    }
    return total;

    function costOf(
      fieldType: Parameters<typeof getNamedType>[0],
      owner: GraphQLCompositeType,
      field: Parameters<typeof fieldWeight>[2],
      children: SelectionSetNode | undefined,
      result: unknown,
    ): number {
      const weight = fieldWeight(options, owner, field);
      const named = getNamedType(fieldType);
      const one = (item: unknown): number => {
        if (Array.isArray(item)) return item.reduce((sum: number, inner) => sum + one(inner), 0);
        if (!children || item === null || typeof item !== 'object' || !isCompositeType(named)) return weight;
        // Abstract results: the concrete type when __typename was selected, else the field's type.
        const typename = (item as Record<string, unknown>).__typename;
        const concrete = typeof typename === 'string' ? schema.getType(typename) : undefined;
        const childType = concrete && isObjectType(concrete) ? concrete : named;
        return weight + walk(childType, children, item as Record<string, unknown>, new Set());
      };
      return one(result);
    }
  }

  return walk(root, operation.selectionSet, data, new Set());
}
