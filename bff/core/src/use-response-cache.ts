import { createHash } from 'node:crypto';
import type { GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import { setSpanAttributes, type AccessTokenVerifier, type Logger } from '@meridian/platform';
import { callerOf, verifiedUser, type BffContext } from './bff-context';
import type { BffPlugin } from './bff-plugin';
import type { ResponseCache } from './response-cache';

/** Options for {@link useResponseCache}. */
export interface ResponseCacheUseOptions {
  cache: ResponseCache;
  verifyAccessToken: AccessTokenVerifier;
  logger: Logger;
}

/**
 * Answers a customer's query from their cached response when one is there,
 * once every other step let the request through (limits and rate limits count
 * a cached answer like any other). Apollo's response-cache plugin does the
 * caching: a response is kept only when it has no error and every subgraph
 * that answered allowed it (`@cacheControl` hints, sent as `Cache-Control`;
 * the least `max-age` wins, capped by the cache), and each entry is keyed by
 * the user, the session, its scopes and the user's generation, with the
 * document and variables. Only queries of signed-in customers and API keys;
 * never staff reads (each is audited), anonymous calls or the BFF's own.
 *
 * Every mutation by a signed-in user invalidates that user's entries before
 * its answer goes out, through whichever BFF it came, so a read after a write
 * never sees the state before it; changes made elsewhere arrive as domain
 * events ({@link subscribeResponseCacheInvalidation}). Clients are told
 * `Cache-Control: no-store`: the cache is the BFF's, never the device's.
 */
export function useResponseCache(options: ResponseCacheUseOptions): BffPlugin {
  const { cache, verifyAccessToken, logger } = options;
  const keyOf = (context: BffContext, keyData: unknown) =>
    `${context.state.cache!.key}:${createHash('sha256').update(JSON.stringify(keyData)).digest('base64url')}`;
  const cacheable = async ({ contextValue }: { contextValue: BffContext }) => contextValue.state.cache !== undefined;

  const listener: GraphQLRequestListener<BffContext> = {
    async willSendResponse({ operation, contextValue, response, metrics }) {
      response.http.headers.set('cache-control', 'no-store');
      // Hit or miss on the request's span, for queries the cache may answer.
      if (contextValue.state.cache) setSpanAttributes({ 'meridian.response_cache': metrics.responseCacheHit ? 'hit' : 'miss' });
      if (operation?.operation !== 'mutation') return;
      const { claims } = await verifiedUser(contextValue, verifyAccessToken);
      if (!claims) return;
      await cache.invalidate([claims.userId]).catch((err: unknown) => logger.error({ err, requestId: contextValue.requestId }, 'a mutation could not invalidate its user’s cached responses'));
    },
  };

  return {
    name: 'response-cache',
    async guard({ contextValue, operation }) {
      if (contextValue.internal || operation?.operation !== 'query') return;
      const caller = await callerOf(contextValue, verifyAccessToken);
      if (caller.class !== 'customer' && caller.class !== 'apiKey') return;
      const { claims } = await verifiedUser(contextValue, verifyAccessToken);
      if (!claims) return;
      const generation = await cache.generation(claims.userId);
      if (generation === undefined) return;
      const scopes = [...claims.scopes].sort().join(' ');
      setSpanAttributes({ 'meridian.response_cache.eligible': true });
      contextValue.state.cache = { key: `${claims.userId}:${claims.sessionId}:${generation}:${scopes}` };
    },
    apollo: [
      // The policy is still worked out (the response cache reads it); the client's header is set below.
      ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
      ApolloServerPluginResponseCache<BffContext>({
        cache: cache.entries,
        sessionId: async ({ contextValue }) => (contextValue.state.cache ? contextValue.state.cache.key : null),
        shouldReadFromCache: cacheable,
        shouldWriteToCache: cacheable,
        generateCacheKey: (requestContext, keyData) => keyOf(requestContext.contextValue as BffContext, keyData),
      }),
      { requestDidStart: async () => listener },
    ],
  };
}
