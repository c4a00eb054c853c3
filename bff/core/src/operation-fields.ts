import {
  getArgumentValues,
  getNamedType,
  GraphQLError,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
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

/** Most variable sets remembered per operation; past it the operation's entries start afresh. */
const REMEMBERED_PER_OPERATION = 64;

type Remembered<T> = WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Map<string, T>>>;

/**
 * What `compute` answers for this operation with these variables, worked out
 * once: a walk depends only on the schema, the operation (Apollo keeps one
 * parsed document per query text, so a document that runs again is the same
 * object) and the variables' exact values. Refusals are not remembered.
 */
function remembered<T>(store: Remembered<T>, request: OperationRequest, compute: () => T): T {
  const { schema, operation } = request;
  if (!operation) return compute();
  let byOperation = store.get(schema);
  if (!byOperation) store.set(schema, (byOperation = new WeakMap()));
  let byVariables = byOperation.get(operation);
  if (!byVariables) byOperation.set(operation, (byVariables = new Map()));
  const key = JSON.stringify(request.request.variables ?? {});
  let value = byVariables.get(key);
  if (value === undefined) {
    value = compute();
    if (byVariables.size >= REMEMBERED_PER_OPERATION) byVariables.clear();
    byVariables.set(key, value);
  }
  return value;
}

const rootFieldsSeen: Remembered<readonly RootField[]> = new WeakMap();
const executedFieldsSeen: Remembered<readonly ExecutedField[]> = new WeakMap();

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
 * Worked out once per operation and variables; the answer is shared and frozen.
 */
export function collectRootFields(request: OperationRequest): readonly RootField[] {
  return remembered(rootFieldsSeen, request, () => Object.freeze(walkRootFields(request)));
}

function walkRootFields(request: OperationRequest): RootField[] {
  const walk = prepareWalk(request);
  if (!walk) return [];
  const { schema, fragments, variables, root, operation } = walk;
  const fields = collectFields(schema, fragments, variables, root, operation.selectionSet);
  const rootFields = root.getFields();
  const out: RootField[] = [];
  for (const [responseKey, nodes] of fields) {
    const name = nodes[0].name.value;
    const definition = rootFields[name];
    let args: Record<string, unknown> = {};
    if (definition) {
      try {
        args = getArgumentValues(definition, nodes[0], variables);
      } catch (err) {
        throw badInput((err as Error).message);
      }
    }
    out.push({ responseKey, name, args, nodes });
  }
  return out;
}

/** A field the operation will execute, at any depth, on the object type it will execute on. */
export interface ExecutedField {
  /** The object type the field is resolved on (each possible type, below an interface or union). */
  parentType: GraphQLObjectType;
  /** The field's name, e.g. `accounts`. */
  name: string;
  /** Response keys from the root to this field, e.g. `['me', 'accounts']`; the first path it was met on. */
  path: string[];
}

interface Walk {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  root: GraphQLObjectType;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/** The pieces `collectFields` needs, variables coerced as execution would (BAD_USER_INPUT when they do not). */
function prepareWalk({ schema, document, operation, request }: OperationRequest): Walk | undefined {
  if (!operation) return undefined;
  const root = schema.getRootType(operation.operation);
  if (!root) return undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) throw badInput(coerced.errors[0].message);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return { schema, operation, root, fragments, variables: coerced.coerced };
}

/**
 * Every field an operation will execute, at every depth, collected the way
 * GraphQL executes it (graphql-js's `collectFields`/`collectSubfields`, as
 * {@link collectRootFields}): named and inline fragments looked through,
 * `@skip`/`@include` applied, and below a field of an interface or union
 * type, the fields each possible object type would get — so a field reached
 * only through a fragment on one member is met on that member. Each
 * (type, field) is listed once; a selection met again on the same type is
 * not walked twice. Introspection fields are left out. Worked out once per
 * operation and variables; the answer is shared and frozen.
 */
export function collectExecutedFields(request: OperationRequest): readonly ExecutedField[] {
  return remembered(executedFieldsSeen, request, () => Object.freeze(walkExecutedFields(request)));
}

function walkExecutedFields(request: OperationRequest): ExecutedField[] {
  const walk = prepareWalk(request);
  if (!walk) return [];
  const { schema, fragments, variables } = walk;
  const found = new Map<string, ExecutedField>();
  const walked = new Set<string>();
  const visit = (type: GraphQLObjectType, fields: Map<string, readonly FieldNode[]>, path: string[]) => {
    for (const [responseKey, nodes] of fields) {
      const name = nodes[0].name.value;
      if (name.startsWith('__')) continue;
      const here = [...path, responseKey];
      const coordinate = `${type.name}.${name}`;
      if (!found.has(coordinate)) found.set(coordinate, { parentType: type, name, path: here });
      const definition = type.getFields()[name];
      if (!definition) continue;
      const returned = getNamedType(definition.type);
      const runtimeTypes = isAbstractType(returned) ? schema.getPossibleTypes(returned) : isObjectType(returned) ? [returned] : [];
      for (const runtime of runtimeTypes) {
        // The same selection on the same type adds nothing new: walk it once (fragments repeated under aliases).
        const key = `${runtime.name}|${nodes.map((n) => n.loc?.start ?? '?').join(',')}`;
        if (nodes.every((n) => n.loc) && walked.has(key)) continue;
        walked.add(key);
        visit(runtime, collectSubfields(schema, fragments, variables, runtime, nodes), here);
      }
    }
  };
  visit(walk.root, collectFields(schema, fragments, variables, walk.root, walk.operation.selectionSet), []);
  return [...found.values()];
}
