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
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { fieldWeight, type CostModelOptions } from './estimate-cost';

/**
 * One response key of a selection set as it counts on one type: fragments
 * looked through, each key once (where it first occurs, as the walk below
 * would meet it), its weight and what its value is walked with.
 */
interface CountedKey {
  key: string;
  /** Absent when the type has no such field: the key is taken, and counts nothing. */
  weight?: number;
  /** The field's named type and its selection set, when its value is walked into (a composite with a selection). */
  named?: GraphQLNamedType;
  children?: SelectionSetNode;
}

/** Counted keys by selection set and type, for one cost model: a document that runs again is the same parsed object. */
const compiledByModel = new WeakMap<CostModelOptions, WeakMap<SelectionSetNode, Map<GraphQLCompositeType, readonly CountedKey[]>>>();

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

/**
 * The cost of what an operation actually returned, by the same weights as the
 * static cost but counting list items that came back rather than the sizes
 * assumed (Shopify's and the IBM spec's `actualQueryCost`). Walks the response
 * data; a field counts where its response key is present. What each selection
 * set counts on each type is worked out once per parsed document, so a
 * response costs one pass over its data.
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
  let compiled = compiledByModel.get(options);
  if (!compiled) compiledByModel.set(options, (compiled = new WeakMap()));
  let fragments: Map<string, FragmentDefinitionNode> | undefined;

  /** The keys `selectionSet` counts on `type`, in the order a walk meets them (fragments inline), each once. */
  const countedKeys = (type: GraphQLCompositeType, selectionSet: SelectionSetNode): readonly CountedKey[] => {
    let byType = compiled.get(selectionSet);
    if (!byType) compiled.set(selectionSet, (byType = new Map()));
    let keys = byType.get(type);
    if (keys) return keys;
    fragments ??= fragmentsOf(document);
    const out: CountedKey[] = [];
    const seen = new Set<string>();
    const visit = (owner: GraphQLCompositeType, set: SelectionSetNode) => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          // The same key selected twice is one field in the response: it counts once. A union has no fields to count.
          if (seen.has(key) || !('getFields' in owner)) continue;
          seen.add(key);
          const field = owner.getFields()[selection.name.value];
          if (!field) {
            out.push({ key });
            continue;
          }
          const named = getNamedType(field.type);
          const walked = selection.selectionSet !== undefined && isCompositeType(named);
          out.push({ key, weight: fieldWeight(options, owner, field), ...(walked ? { named, children: selection.selectionSet } : {}) });
          continue;
        }
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments!.get(selection.name.value);
        if (!fragment) continue;
        const condition = fragment.typeCondition ? typeFromAST(schema, fragment.typeCondition) : owner;
        visit(condition && isCompositeType(condition) ? condition : owner, fragment.selectionSet);
      }
    };
    visit(type, selectionSet);
    keys = Object.freeze(out);
    byType.set(type, keys);
    return keys;
  };

  const costOf = (counted: CountedKey, item: unknown): number => {
    if (Array.isArray(item)) {
      let sum = 0;
      for (const inner of item) sum += costOf(counted, inner);
      return sum;
    }
    const weight = counted.weight!;
    if (!counted.children || item === null || typeof item !== 'object') return weight;
    // Abstract results: the concrete type when __typename was selected, else the field's type.
    const typename = (item as Record<string, unknown>).__typename;
    const concrete = typeof typename === 'string' ? schema.getType(typename) : undefined;
    const childType = concrete && isObjectType(concrete) ? concrete : (counted.named as GraphQLCompositeType);
    return weight + walk(childType, counted.children, item as Record<string, unknown>);
  };

  const walk = (type: GraphQLCompositeType, selectionSet: SelectionSetNode, value: Record<string, unknown>): number => {
    let total = 0;
    for (const counted of countedKeys(type, selectionSet)) {
      if (counted.weight === undefined || !(counted.key in value)) continue;
      total += costOf(counted, value[counted.key]);
    }
    return total;
  };

  return walk(root, operation.selectionSet, data);
}
