import { getArgumentValues, Kind, type FieldNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/** The fields at the root of an operation (fragments at the root are not looked into). */
export function rootFieldNodes(operation: OperationDefinitionNode): FieldNode[] {
  return operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
}

/** Names of the fields at the root of an operation. */
export function rootFields(operation: OperationDefinitionNode): string[] {
  return rootFieldNodes(operation).map((node) => node.name.value);
}

/** The arguments of a root field as the resolver will see them: variables substituted, literals coerced, defaults applied. */
export function fieldArguments(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const root = schema.getRootType(operation.operation);
  const field = root?.getFields()[node.name.value];
  return field ? getArgumentValues(field, node, variables) : {};
}
