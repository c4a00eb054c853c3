import { requireRecentMfa, requireUser, type SubgraphContext } from '@meridian/platform';
import type { MutationResolvers, QueryResolvers } from '../__generated__/resolvers-types';
import type { ApiKeyService } from '../services/api-key-service';
import type { RequestOrigin } from '../services/audit-log';

/** The service behind API keys, and how recent a step-up must be to create one. */
export interface ApiKeyServices {
  apiKeys: ApiKeyService;
  /** In seconds, as for the other credential changes. */
  stepUpMaxAgeSeconds: number;
}

const origin = (ctx: SubgraphContext): RequestOrigin => ({ ip: ctx.clientIp, userAgent: ctx.userAgent, requestId: ctx.requestId });

/**
 * API keys: one service call each. Who may (`credentials:write`, which only an
 * interactive sign-in holds) is declared on the schema and enforced before these run.
 */
export function apiKeyResolvers(services: ApiKeyServices): { Query: QueryResolvers; Mutation: MutationResolvers } {
  return {
    Query: {
      apiKeys: (_parent, _args, ctx) => services.apiKeys.list(requireUser(ctx).userId),
    },
    Mutation: {
      // A new credential, like a new password: a second factor from the last few minutes first.
      createApiKey: (_parent, { name, scopes, expiresAt }, ctx) =>
        services.apiKeys.create(requireRecentMfa(ctx, { maxAgeSeconds: services.stepUpMaxAgeSeconds, action: 'createApiKey' }), { name, scopes, expiresAt }, origin(ctx)),
      revokeApiKey: (_parent, { id }, ctx) => services.apiKeys.revoke(requireUser(ctx).userId, id, origin(ctx)),
    },
  };
}
