import {
  getArgumentValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields } from 'graphql/execution/collectFields';
import { getVariableValues } from 'graphql/execution/values';
import { ErrorCode } from '@meridian/platform';

/** A root field as it will execute: under its response key (alias), once however many nodes merge into it. */
export interface RootField {
  /** The key its result has in `data`: the alias, else the field name. */
  responseKey: string;
  /** The field's name, e.g. `login`. */
  name: string;
  /** Its arguments as the resolver will see them: variables substituted, literals coerced, defaults applied. */
  args: Record<string, unknown>;
  /** The field nodes merged under this key (several when a fragment repeats it). */
  nodes: readonly FieldNode[];
}

/** What {@link collectRootFields} reads from a request: Apollo's request contexts all have it. */
export interface OperationRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation?: OperationDefinitionNode | null;
  request: { variables?: Record<string, unknown> | null };
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}

/**
 * The root fields of an operation the way GraphQL will execute them, with
 * graphql-js's own `collectFields`: fields inside inline and named fragments,
 * each alias its own entry, fields under `@skip(if: true)` or
 * `@include(if: false)` left out. The one walker every field guard uses
 * (limits, rate limits, the web token-field guard, the device-id check), so
 * none of them can see a different operation from the one that runs.
 * Variables that do not coerce are `BAD_USER_INPUT`, as execution would say.
 */
export function collectRootFields({ schema, document, operation, request }: OperationRequest): RootField[] {
  if (!operation) return [];
  const root = schema.getRootType(operation.operation);
  if (!root) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) throw badInput(coerced.errors[0].message);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const fields = collectFields(schema, fragments, coerced.coerced, root, operation.selectionSet);
  const rootFields = root.getFields();
  const out: RootField[] = [];
  for (const [responseKey, nodes] of fields) {
    const name = nodes[0].name.value;
    const definition = rootFields[name];
    let args: Record<string, unknown> = {};
    if (definition) {
      try {
        args = getArgumentValues(definition, nodes[0], coerced.coerced);
      } catch (err) {
        throw badInput((err as Error).message);
      }
    }
    out.push({ responseKey, name, args, nodes });
  }
  return out;
}
