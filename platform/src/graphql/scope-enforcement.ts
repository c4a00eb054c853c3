import { defaultFieldResolver, isObjectType, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { decideScopes, describeRequirement, fieldRequirement, isRestricted, readScopeDirectives, type ScopeRequirement } from '../auth';
import { DomainError, ErrorCode } from '../errors';
import type { SubgraphContext } from './subgraph-context';

/** The FORBIDDEN refusal of fields whose scopes the caller lacks, naming them in the message and in `extensions.fields`. */
export function missingScopes(refused: { coordinate: string; requirement: ScopeRequirement }[]): DomainError {
  const named = refused.map((r) => `${r.coordinate} (needs ${describeRequirement(r.requirement)})`).join(', ');
  return new DomainError(ErrorCode.FORBIDDEN, `This sign-in may not use ${named}.`, { fields: refused.map((r) => r.coordinate) });
}

/** The UNAUTHENTICATED refusal of fields that need a sign-in, naming them, after why a token was refused when one was. */
export function signInRequired(coordinates: string[], tokenRefusal?: string): DomainError {
  const message = `${tokenRefusal ? `${tokenRefusal} ` : ''}Sign in to use ${coordinates.join(', ')}.`;
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, { fields: coordinates });
}

/**
 * Enforces the subgraph's own `@authenticated` and `@requiresScopes`: the
 * resolver of exactly the fields they cover (on the field, its type, an
 * interface it implements or the object it returns — {@link fieldRequirement}) is
 * wrapped so it runs only for a caller whose verified access token meets
 * them. Without a token (or with a refused one) the field is UNAUTHENTICATED,
 * without the scopes FORBIDDEN, before its resolver runs. So a subgraph called
 * directly, bypassing the BFF's own check of the same directives, still
 * refuses. Returns the coordinates it wrapped, sorted.
 */
export function enforceScopeDirectives(schema: GraphQLSchema, typeDefs: DocumentNode): string[] {
  const directives = readScopeDirectives(typeDefs);
  const wrapped: string[] = [];
  if (!directives.size) return wrapped;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const requirement = fieldRequirement(directives, type, field.name);
      if (!isRestricted(requirement)) continue;
      const coordinate = `${type.name}.${field.name}`;
      const resolve: GraphQLFieldResolver<unknown, SubgraphContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const decision = decideScopes(requirement, context.user);
        if (decision === 'UNAUTHENTICATED') throw context.authError ?? signInRequired([coordinate]);
        if (decision === 'FORBIDDEN') throw missingScopes([{ coordinate, requirement }]);
        return resolve(source, args, context, info);
      };
      wrapped.push(coordinate);
    }
  }
  return wrapped.sort();
}

