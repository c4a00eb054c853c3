import cookie from '@fastify/cookie';
import { bffContextFromRequest, DOCUMENT_DOWNLOAD_ROUTE, TRANSACTION_EXPORT_ROUTE, type BffContext, type BffHandle } from '@meridian/bff-core';
import { addRouteHook, ErrorCode, type Logger, type SessionRevocations } from '@meridian/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfRefusal } from './csrf';
import { createIdentityCalls } from './identity-calls';
import { createSessionCookie } from './session-cookie';
import { useWebSessionGuard } from './session-plugin';
import { createSessionRefresher } from './session-refresh';
import { registerMfaRoutes } from './mfa-routes';
import { registerSessionRoutes, sendRefusal } from './session-routes';
import type { LoadedWebSession, WebSessionStore } from './web-session-store';

export { DEV_SESSION_COOKIE, SESSION_COOKIE } from './session-cookie';

/** Options for {@link createWebSessions}. */
export interface WebSessionsOptions {
  store: WebSessionStore;
  nodeEnv: 'development' | 'test' | 'production';
  /** Cross-origin browser origins that may act with the session (besides the BFF's own). */
  allowedOrigins: readonly string[];
  /** Refresh the access token when it has less than this left; default 60 s. */
  refreshMarginMs?: number;
  /** The list of ended sessions: a browser session whose identity session is on it ends at its next request. */
  revocations: Pick<SessionRevocations, 'isRevoked'>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The browser's session, resolved (and refreshed if due) before the handler runs. */
    webSession: LoadedWebSession | null;
  }
}

/**
 * Cookie sessions for the web dashboard, in the token-handler pattern: the
 * BFF signs in with identity, keeps the access and refresh tokens in its
 * session store and gives the browser only an opaque `__Host-` cookie
 * (session-cookie.ts). Every request with the cookie runs with the session's
 * access token, refreshed shortly before it expires (session-refresh.ts);
 * state-changing requests must come from an allowed origin (csrf.ts). Routes:
 * POST /auth/login, POST /auth/logout, GET /auth/session (session-routes.ts),
 * POST /auth/mfa and POST /auth/step-up (mfa-routes.ts).
 */
export function createWebSessions(options: WebSessionsOptions) {
  const { store } = options;
  const allowList = new Set(options.allowedOrigins);
  const sessionCookie = createSessionCookie(options.nodeEnv);
  const identity = createIdentityCalls();
  let log: Logger | undefined;
  const refresher = createSessionRefresher({ store, identity, marginMs: options.refreshMarginMs ?? 60_000, log: () => log });

  /** Before /graphql and /auth/*: the CSRF check, then the session (loaded, refreshed if due, kept alive). */
  async function resolve(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // An API key is no browser session: neither the cookie nor CSRF concerns it.
    if (request.apiKeyAccess) {
      request.webSession = null;
      return;
    }
    const secret = sessionCookie.read(request);
    const refusal = csrfRefusal(request, secret !== undefined, allowList);
    if (refusal) return sendRefusal(reply, ErrorCode.FORBIDDEN, refusal, { reason: 'CSRF' });
    request.webSession = null;
    if (secret === undefined) return;
    let loaded: LoadedWebSession | null;
    try {
      loaded = await store.load(secret);
      // Ended elsewhere (signed out on the phone, revoked, a password reset): this browser is signed out too, at once.
      if (loaded && options.revocations.isRevoked(loaded.session.id)) {
        await store.destroy(loaded);
        loaded = null;
      }
      if (loaded) loaded = await refresher.fresh(loaded, request);
      if (loaded) await store.touch(loaded);
    } catch (err) {
      // The session store is down: nobody can be signed in safely; say so rather than run anonymously.
      log?.error({ err: (err as Error).message }, 'web session store failed');
      return sendRefusal(reply, ErrorCode.SERVICE_UNAVAILABLE, 'Sessions are temporarily unavailable. Try again shortly.');
    }
    if (!loaded) sessionCookie.clear(request, reply);
    request.webSession = loaded;
  }

  /** The GraphQL context: the token exchanged for an API key, else the client's own bearer header if it sent one, else the session's token. */
  async function context(request: FastifyRequest): Promise<BffContext> {
    const base = bffContextFromRequest(request);
    if (request.apiKeyAccess) return { ...base, authorization: `Bearer ${request.apiKeyAccess.accessToken}` };
    if (base.authorization || !request.webSession) return base;
    return { ...base, authorization: `Bearer ${request.webSession.session.accessToken}` };
  }

  async function register(app: FastifyInstance, logger: Logger, handle: BffHandle): Promise<void> {
    identity.attach(handle);
    log = logger;
    await app.register(cookie);
    app.decorateRequest('webSession', null);
    // On the routes themselves (matched as registered, whatever the spelling of the URL): /graphql, uploads, downloads and /auth/*.
    const sessionRoutes = new Set(['/graphql', '/uploads', DOCUMENT_DOWNLOAD_ROUTE, TRANSACTION_EXPORT_ROUTE]);
    app.addHook('onRoute', (route) => {
      const own = sessionRoutes.has(route.url) || route.url.startsWith('/auth/');
      if (own) addRouteHook(route, 'preHandler', resolve);
    });
    registerSessionRoutes(app, { store, cookie: sessionCookie, identity, log: logger });
    registerMfaRoutes(app, { store, cookie: sessionCookie, identity, log: logger });
  }

  return { plugin: useWebSessionGuard(store, () => log), context, register };
}
