import type { AccessTokenVerifier } from '@meridian/platform';
import { callerOf } from './bff-context';
import type { BffPlugin } from './bff-plugin';

/** Options for {@link useFetchMerging}. */
export interface FetchMergingOptions {
  /** Verifies the request's access token (once per request, shared with the other steps). */
  verifyAccessToken: AccessTokenVerifier;
}

/**
 * Lets a query's subgraph fetches join identical ones already in flight for
 * the same caller (the same Authorization: one user, one token), once every
 * other step has let the request through: only queries, only signed-in
 * customers and API keys. Staff reads are never merged, since each is audited
 * with its own request id; anonymous requests and the BFF's own operations
 * neither. The gateway keys what it merges by subgraph, document, variables and
 * Authorization, so answers never cross callers.
 */
export function useFetchMerging(options: FetchMergingOptions): BffPlugin {
  return {
    name: 'fetch-merging',
    async guard({ contextValue, operation }) {
      if (contextValue.internal || operation?.operation !== 'query') return;
      const caller = await callerOf(contextValue, options.verifyAccessToken);
      if (caller.class === 'customer' || caller.class === 'apiKey') contextValue.mergeFetches = true;
    },
  };
}
