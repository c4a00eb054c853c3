import {
  astFromValue,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  print,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { decideScopes, fieldRequirement, type ScopeDirectives } from '@meridian/platform';

/** A field, as `Type.field`. */
export type Coordinate = string;

/**
 * Every field of `schema` whose `@authenticated`/`@requiresScopes` (as
 * `directives` reads them) a token with `scopes` may not use, sorted: for the
 * customer's scopes, the staff fields. Read from the schema, so a new field is
 * covered the day it is declared.
 */
export function refusedFields(schema: GraphQLSchema, directives: ScopeDirectives, scopes: readonly string[]): Coordinate[] {
  const out: Coordinate[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_')) continue;
    for (const field of Object.values(type.getFields())) {
      if (decideScopes(fieldRequirement(directives, type, field.name), { scopes: [...scopes] }) !== 'ALLOWED') out.push(`${type.name}.${field.name}`);
    }
  }
  return out.sort();
}

const DUMMY_SCALARS: Record<string, unknown> = {
  ID: '00000000-0000-7000-8000-000000000000',
  String: 'a reason for the test',
  Int: 1,
  Float: 1.5,
  Boolean: false,
  DateTime: '2026-01-01T00:00:00.000Z',
  Decimal: '1.00',
};

/** A value of `type` that validates: required input fields filled, optional ones left out. */
export function dummyValue(type: GraphQLInputType): unknown {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return [dummyValue(inner.ofType)];
  if (isEnumType(inner)) return inner.getValues()[0].value;
  if (isInputObjectType(inner)) {
    return Object.fromEntries(
      Object.values(inner.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, dummyValue(f.type)]),
    );
  }
  if (isScalarType(inner)) return DUMMY_SCALARS[inner.name] ?? 'x';
  throw new Error(`no dummy value for ${String(inner)}`);
}

function argumentsOf(args: readonly GraphQLArgument[], given: Record<string, unknown> = {}): string {
  const required = args.filter((a) => (isNonNullType(a.type) && a.defaultValue === undefined) || a.name in given);
  if (!required.length) return '';
  return `(${required.map((a) => `${a.name}: ${print(astFromValue(a.name in given ? given[a.name] : dummyValue(a.type), a.type)!)}`).join(', ')})`;
}

/** The smallest selection under a field of this type: `__typename` for an object, nothing for a leaf. */
function leafSelection(type: GraphQLObjectType, fieldName: string): string {
  return isCompositeType(getNamedType(type.getFields()[fieldName].type)) ? ' { __typename }' : '';
}

/**
 * An operation that selects `coordinate`, reached from the root by the
 * shortest chain of fields (arguments filled with dummy values, or those in
 * `args` by field name), e.g. `query { kycCase(id: "…") { checks { __typename } } }`.
 * Federation's `_entities`/`_service` are not walked.
 */
export function operationFor(schema: GraphQLSchema, coordinate: Coordinate, args: Record<string, Record<string, unknown>> = {}): string {
  const [typeName, fieldName] = coordinate.split('.');
  const roots = [schema.getQueryType(), schema.getMutationType()].filter((t): t is GraphQLObjectType => Boolean(t));
  // Breadth first from the roots: the chain of fields that first reaches the type.
  const seen = new Map<string, { from?: string; via?: string; root: GraphQLObjectType }>(roots.map((r) => [r.name, { root: r }]));
  const queue = [...roots];
  while (queue.length && !seen.has(typeName)) {
    const type = queue.shift()!;
    for (const field of Object.values(type.getFields())) {
      if (field.name.startsWith('_')) continue;
      const named = getNamedType(field.type);
      const targets = isAbstractType(named) ? schema.getPossibleTypes(named) : isObjectType(named) ? [named] : [];
      for (const target of targets) {
        if (seen.has(target.name)) continue;
        seen.set(target.name, { from: type.name, via: field.name, root: seen.get(type.name)!.root });
        queue.push(target);
      }
    }
  }
  const reached = seen.get(typeName);
  if (!reached) throw new Error(`${coordinate} cannot be reached from a root field`);
  const target = schema.getType(typeName) as GraphQLObjectType;
  let selection = `${fieldName}${argumentsOf(target.getFields()[fieldName].args, args[coordinate])}${leafSelection(target, fieldName)}`;
  let current = typeName;
  while (seen.get(current)!.from) {
    const { from, via } = seen.get(current)!;
    const parent = schema.getType(from!) as GraphQLObjectType;
    const returned = getNamedType(parent.getFields()[via!].type);
    const inner = returned.name === current ? selection : `... on ${current} { ${selection} }`;
    selection = `${via}${argumentsOf(parent.getFields()[via!].args, args[`${from}.${via}`])} { ${inner} }`;
    current = from!;
  }
  const operation = reached.root === schema.getMutationType() ? 'mutation' : 'query';
  return `${operation} { ${selection} }`;
}
