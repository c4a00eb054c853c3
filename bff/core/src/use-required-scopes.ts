import {
  decideScopes,
  ErrorCode,
  fieldRequirement,
  isRestricted,
  missingScopes,
  readScopeDirectives,
  signInRequired,
  type AccessTokenVerifier,
  type ScopeRequirement,
} from '@meridian/platform';
import { GraphQLError, parse } from 'graphql';
import { verifiedUser } from './bff-context';
import type { BffPlugin } from './bff-plugin';
import { collectExecutedFields, type ExecutedField } from './operation-fields';

/** Options for {@link useRequiredScopes}. */
export interface RequiredScopesOptions {
  /** The supergraph whose `@authenticated`/`@requiresScopes` (composed from every subgraph) are enforced. */
  supergraphSdl: string;
  /** Verifies the request's access token (identity's JWKS). */
  verifyAccessToken: AccessTokenVerifier;
}

/** The refusal with its HTTP status, which Apollo reads from `extensions.http` (and strips from the response). */
function withStatus(error: GraphQLError, status: number): GraphQLError {
  Object.assign(error.extensions, { http: { status } });
  return error;
}

/**
 * Federation's `@authenticated` and `@requiresScopes`, checked on the whole
 * operation before it is planned (`@apollo/gateway` ignores them): every
 * field that will execute ({@link collectExecutedFields}: fragments, inline
 * fragments, interfaces and unions looked through) is held against the
 * directives the supergraph composed from the subgraphs, by the same rule the
 * subgraphs apply again themselves. Any field that needs a sign-in without a
 * valid token refuses the operation with UNAUTHENTICATED (401); any whose
 * scopes the token lacks with FORBIDDEN (403); both name the fields in
 * `extensions.fields`. A refused operation reaches no subgraph.
 */
export function useRequiredScopes(options: RequiredScopesOptions): BffPlugin {
  const directives = readScopeDirectives(parse(options.supergraphSdl));
  const requirements = new Map<string, ScopeRequirement | undefined>();
  type Restricted = { coordinate: string; requirement: ScopeRequirement }[];
  // By the executed fields' list, which is the same object for each run of one operation with the same variables.
  const restrictedOf = new WeakMap<readonly ExecutedField[], Restricted>();
  const restrictedFields = (fields: readonly ExecutedField[]): Restricted => {
    let restricted = restrictedOf.get(fields);
    if (restricted) return restricted;
    restricted = [];
    for (const field of fields) {
      const coordinate = `${field.parentType.name}.${field.name}`;
      if (!requirements.has(coordinate)) requirements.set(coordinate, fieldRequirement(directives, field.parentType, field.name));
      const requirement = requirements.get(coordinate);
      if (isRestricted(requirement)) restricted.push({ coordinate, requirement });
    }
    restrictedOf.set(fields, restricted);
    return restricted;
  };
  return {
    name: 'required-scopes',
    async guard(request) {
      const restricted = restrictedFields(collectExecutedFields(request));
      if (!restricted.length) return;
      const { claims, error } = await verifiedUser(request.contextValue, options.verifyAccessToken);
      const refused = restricted.filter(({ requirement }) => decideScopes(requirement, claims) !== 'ALLOWED');
      if (!refused.length) return;
      if (claims) throw withStatus(missingScopes(refused), 403);
      // Identity's keys could not be fetched: the token was not judged, so the client must not sign out.
      if (error instanceof GraphQLError && error.extensions.code === ErrorCode.SERVICE_UNAVAILABLE) throw withStatus(error, 503);
      // A token that came and failed says why (expired, say), so the client knows to refresh rather than sign in again.
      const tokenRefusal = error instanceof GraphQLError ? error.message : undefined;
      throw withStatus(signInRequired(refused.map((r) => r.coordinate), tokenRefusal), 401);
    },
  };
}
