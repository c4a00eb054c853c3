import { apiKeyOf } from '@meridian/bff-core';
import { addRouteHook, DomainError, errorBody, ErrorCode, httpStatusFor } from '@meridian/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyAccess, ApiKeyExchange } from './api-key-exchange';

declare module 'fastify' {
  interface FastifyRequest {
    /** The access token exchanged for the request's `Authorization: ApiKey`, when one came and was valid. */
    apiKeyAccess: ApiKeyAccess | null;
  }
}

/** Options for {@link registerApiKeys}. */
export interface ApiKeysOptions {
  exchange: ApiKeyExchange;
  /** The routes, as registered, that accept API keys: /graphql, uploads and downloads, never /auth/*. */
  routes: ReadonlySet<string>;
}

function refuse(reply: FastifyReply, err: DomainError) {
  const { code, ...extensions } = err.extensions as Record<string, unknown>;
  if (typeof extensions.retryAfter === 'number') reply.header('retry-after', String(extensions.retryAfter));
  if (err.code === ErrorCode.UNAUTHENTICATED) reply.header('www-authenticate', 'ApiKey');
  return reply.code(httpStatusFor[err.code]).type('application/json; charset=utf-8').send(errorBody(err.code, err.message, extensions));
}

/**
 * `Authorization: ApiKey <key>` on the web BFF: before anything else of the
 * route runs, the key is exchanged for an access token ({@link ApiKeyExchange})
 * that the request then runs with, as a bearer token would. Such a request is
 * not a browser session: the cookie and CSRF checks leave it alone, while
 * trusted documents, limits and rate limits (per key) apply as to any other.
 * An invalid key is 401 UNAUTHENTICATED, too many from one address 429.
 */
export function registerApiKeys(app: FastifyInstance, options: ApiKeysOptions): void {
  app.decorateRequest('apiKeyAccess', null);

  async function authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    request.apiKeyAccess = null;
    const key = apiKeyOf(request.headers.authorization);
    if (key === undefined) return;
    try {
      request.apiKeyAccess = await options.exchange.accessFor(key, request.ip);
    } catch (err) {
      if (err instanceof DomainError) return refuse(reply, err);
      throw err;
    }
  }

  // On the routes as registered, whatever spelling of the URL a request used; first, so the session step sees the result.
  app.addHook('onRoute', (route) => {
    if (options.routes.has(route.url)) addRouteHook(route, 'preHandler', authorize, { first: true });
  });
}
