import {
  getNamedType,
  Kind,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type GraphQLObjectType,
} from 'graphql';
import type { AccessTokenClaims } from './access-token';

/**
 * What Apollo Federation's `@authenticated` and `@requiresScopes` ask of a
 * caller. `anyOf` is `@requiresScopes(scopes:)` as Federation reads it, in
 * disjunctive normal form: the caller must hold every scope of at least one
 * set. `@requiresScopes` implies `@authenticated`.
 */
export interface ScopeRequirement {
  authenticated: boolean;
  /** Scope sets, any one of which suffices; undefined when no scope is asked for. */
  anyOf?: string[][];
}

/**
 * The `@authenticated`/`@requiresScopes` declarations of one SDL, by schema
 * coordinate: `Type` for a type's own (object, interface, scalar, enum) and
 * `Type.field` for a field's.
 */
export type ScopeDirectives = Map<string, ScopeRequirement>;

/** Whether a requirement asks for anything at all. */
export function isRestricted(requirement: ScopeRequirement | undefined): requirement is ScopeRequirement {
  return Boolean(requirement && (requirement.authenticated || requirement.anyOf));
}

/**
 * Both requirements at once, the way composition merges them (Federation's
 * DNF conjunction): every pair of sets joined, duplicates and sets that hold
 * another dropped.
 */
export function bothRequirements(a: ScopeRequirement | undefined, b: ScopeRequirement | undefined): ScopeRequirement | undefined {
  if (!isRestricted(a)) return isRestricted(b) ? b : undefined;
  if (!isRestricted(b)) return a;
  const authenticated = a.authenticated || b.authenticated;
  if (!a.anyOf || !b.anyOf) return { authenticated, anyOf: a.anyOf ?? b.anyOf };
  const seen = new Map<string, string[]>();
  for (const left of a.anyOf) {
    for (const right of b.anyOf) {
      const set = [...new Set([...left, ...right])].sort();
      seen.set(set.join(' '), set);
    }
  }
  // Absorption: a set that holds all of another adds nothing (x or (x and y) is x).
  const sets = [...seen.values()];
  const minimal = sets.filter((set) => !sets.some((other) => other !== set && other.length < set.length && other.every((scope) => set.includes(scope))));
  return { authenticated, anyOf: minimal };
}

const FEDERATION_URL = /^https:\/\/specs\.apollo\.dev\/federation\//;
const SPEC_URL = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes)\//;

function stringArg(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

/**
 * The names the two directives go by in `document`: their own, Federation's
 * `federation__` spelling, and any `as:` a `@link` gives them (in a subgraph's
 * import list, or for the spec itself in a supergraph).
 */
function directiveNames(document: DocumentNode): { authenticated: Set<string>; requiresScopes: Set<string> } {
  const names = {
    authenticated: new Set(['authenticated', 'federation__authenticated']),
    requiresScopes: new Set(['requiresScopes', 'federation__requiresScopes']),
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArg(link, 'url');
      if (url?.kind !== Kind.STRING) continue;
      const spec = url.value.match(SPEC_URL)?.[1] as 'authenticated' | 'requiresScopes' | undefined;
      const as = stringArg(link, 'as');
      if (spec && as?.kind === Kind.STRING) names[spec].add(as.value);
      const imports = stringArg(link, 'import');
      if (!FEDERATION_URL.test(url.value) || imports?.kind !== Kind.LIST) continue;
      for (const entry of imports.values) {
        if (entry.kind !== Kind.OBJECT) continue;
        const field = (key: string) => entry.fields.find((f) => f.name.value === key)?.value;
        const name = field('name');
        const alias = field('as');
        if (name?.kind !== Kind.STRING || alias?.kind !== Kind.STRING) continue;
        const own = name.value.replace(/^@/, '') as 'authenticated' | 'requiresScopes';
        if (own in names) names[own].add(alias.value.replace(/^@/, ''));
      }
    }
  }
  return names;
}

function readScopes(directive: ConstDirectiveNode): string[][] {
  const value = stringArg(directive, 'scopes');
  if (value?.kind !== Kind.LIST) return [];
  return value.values.map((set) => (set.kind === Kind.LIST ? set.values.flatMap((s) => (s.kind === Kind.STRING ? [s.value] : [])) : []));
}

/** Collects every `@authenticated` and `@requiresScopes` of a subgraph's or a supergraph's SDL. */
export function readScopeDirectives(document: DocumentNode): ScopeDirectives {
  const names = directiveNames(document);
  const found: ScopeDirectives = new Map();
  const add = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    let requirement: ScopeRequirement | undefined;
    for (const directive of directives ?? []) {
      if (names.authenticated.has(directive.name.value)) requirement = bothRequirements(requirement, { authenticated: true });
      if (names.requiresScopes.has(directive.name.value)) {
        requirement = bothRequirements(requirement, { authenticated: true, anyOf: readScopes(directive) });
      }
    }
    if (requirement) found.set(coordinate, bothRequirements(found.get(coordinate), requirement)!);
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        add(definition.name.value, definition.directives);
        for (const field of definition.fields ?? []) add(`${definition.name.value}.${field.name.value}`, field.directives);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        add(definition.name.value, definition.directives);
        break;
      default:
        break;
    }
  }
  return found;
}

/**
 * What executing `type.field` asks of the caller: the field's own
 * declaration, its type's, and its return type's (Federation's rule for an
 * object, interface, scalar or enum returned). A member's requirement holds
 * for every field of the member however it is reached — directly, through an
 * interface or in a fragment — but not for the other members: composition
 * gives an interface the requirements of its implementations, so a field
 * returning the interface needs them, while a sibling's own fields stay as
 * open as declared. Federation's `_entities` (a union) therefore stays open and
 * each entity's fields guard themselves. The BFF (on the supergraph) and each
 * subgraph (on its own SDL) decide by this one rule.
 */
export function fieldRequirement(
  directives: ScopeDirectives,
  type: GraphQLObjectType,
  fieldName: string,
): ScopeRequirement | undefined {
  const requirement = bothRequirements(directives.get(`${type.name}.${fieldName}`), directives.get(type.name));
  const field = type.getFields()[fieldName];
  return field ? bothRequirements(requirement, directives.get(getNamedType(field.type).name)) : requirement;
}

/** How a caller stands against a requirement. */
export type ScopeDecision = 'ALLOWED' | 'UNAUTHENTICATED' | 'FORBIDDEN';

/** Whether the holder of `claims` (or nobody, when undefined) meets `requirement`. */
export function decideScopes(requirement: ScopeRequirement | undefined, claims: Pick<AccessTokenClaims, 'scopes'> | undefined): ScopeDecision {
  if (!isRestricted(requirement)) return 'ALLOWED';
  if (!claims) return 'UNAUTHENTICATED';
  if (!requirement.anyOf) return 'ALLOWED';
  const held = new Set(claims.scopes);
  return requirement.anyOf.some((set) => set.every((scope) => held.has(scope))) ? 'ALLOWED' : 'FORBIDDEN';
}

/** A requirement in words, for refusals: `customers:read`, or `accounts:read or customers:read`. */
export function describeRequirement(requirement: ScopeRequirement): string {
  if (!requirement.anyOf) return 'a sign-in';
  if (!requirement.anyOf.length) return 'a scope nobody holds';
  return requirement.anyOf.map((set) => set.join(' and ') || 'a sign-in').join(' or ');
}

/** Whether the token holds `scope`. */
export function hasScope(claims: Pick<AccessTokenClaims, 'scopes'>, scope: string): boolean {
  return claims.scopes.includes(scope);
}
