import cookie from '@fastify/cookie';
import { bffContextFromRequest, collectRootFields, type BffContext, type BffHandle, type BffOperationResult, type BffPlugin } from '@meridian/bff-core';
import { addRouteHook, errorBody, ErrorCode, httpStatusFor, isErrorCode, type Logger } from '@meridian/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { isAllowedOrigin, isLocalRequest, requestOrigin } from './origin-check';
import type { LoadedWebSession, WebSessionStore } from './web-session-store';

/** Options for {@link createWebSessions}. */
export interface WebSessionsOptions {
  store: WebSessionStore;
  nodeEnv: 'development' | 'test' | 'production';
  /** Cross-origin browser origins that may act with the session (besides the BFF's own). */
  allowedOrigins: readonly string[];
  /** Refresh the access token when it has less than this left; default 60 s. */
  refreshMarginMs?: number;
}

/** The secure cookie: host-only, HTTPS-only, never readable by scripts. */
export const SESSION_COOKIE = '__Host-meridian-session';
/** The same cookie on plain-HTTP localhost in development, where `Secure` and `__Host-` cannot be met. */
export const DEV_SESSION_COOKIE = 'meridian-session';

/** Root fields that hand out or end tokens: on the web only the BFF's own /auth routes run them. */
const TOKEN_FIELDS = new Set(['login', 'refreshSession', 'logout']);

const LOGIN = /* GraphQL */ `
  mutation WebLogin($input: LoginInput!) {
    login(input: $input) { accessToken expiresAt refreshToken refreshExpiresAt user { id email displayName roles } }
  }`;
const REFRESH = /* GraphQL */ `
  mutation WebRefresh($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) { accessToken expiresAt refreshToken refreshExpiresAt }
  }`;
const LOGOUT = /* GraphQL */ `
  mutation WebLogout($refreshToken: String) { logout(refreshToken: $refreshToken) }`;

const loginBody = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

declare module 'fastify' {
  interface FastifyRequest {
    /** The browser's session, resolved (and refreshed if due) before the handler runs. */
    webSession: LoadedWebSession | null;
  }
}

function send(reply: FastifyReply, code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(httpStatusFor[code]).type('application/json; charset=utf-8').send(errorBody(code, message, extra));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Cookie sessions for the web dashboard, in the token-handler pattern: the
 * BFF signs in with identity, keeps the access and refresh tokens in its
 * session store and gives the browser only an opaque `__Host-` cookie
 * (HttpOnly, Secure, SameSite=Lax). Every request with the cookie runs with
 * the session's access token, refreshed shortly before it expires (once, even
 * when requests race); state-changing requests must come from an allowed
 * origin. Routes: POST /auth/login, POST /auth/logout, GET /auth/session.
 */
export function createWebSessions(options: WebSessionsOptions) {
  const { store } = options;
  const allowList = new Set(options.allowedOrigins);
  const margin = options.refreshMarginMs ?? 60_000;
  const refreshing = new Map<string, Promise<LoadedWebSession | null>>();
  let bff: BffHandle | undefined;
  let log: Logger | undefined;

  /** Secure everywhere except plain-HTTP localhost in development. */
  function cookieFor(request: FastifyRequest): { name: string; secure: boolean } {
    const relaxed = options.nodeEnv === 'development' && isLocalRequest(request) && request.protocol === 'http';
    return relaxed ? { name: DEV_SESSION_COOKIE, secure: false } : { name: SESSION_COOKIE, secure: true };
  }

  function setCookie(request: FastifyRequest, reply: FastifyReply, secret: string): void {
    const { name, secure } = cookieFor(request);
    // No Max-Age: the cookie ends with the browser; the server enforces the idle and absolute timeouts.
    reply.setCookie(name, secret, { path: '/', httpOnly: true, secure, sameSite: 'lax' });
  }

  function clearCookie(request: FastifyRequest, reply: FastifyReply): void {
    const { name, secure } = cookieFor(request);
    reply.clearCookie(name, { path: '/', httpOnly: true, secure, sameSite: 'lax' });
  }

  function internalContext(request: FastifyRequest, accessToken?: string): BffContext {
    return { ...bffContextFromRequest(request), authorization: accessToken ? `Bearer ${accessToken}` : undefined, internal: true };
  }

  function run(operation: { query: string; variables?: Record<string, unknown> }, context: BffContext): Promise<BffOperationResult> {
    if (!bff) throw new Error('web sessions are not registered');
    return bff.execute(operation, context);
  }

  /**
   * Exchanges the session's refresh token. One refresh per session at a time
   * across every BFF instance: the lock holder refreshes; the others wait for
   * its result, since presenting the same refresh token twice ends the session.
   */
  async function refresh(loaded: LoadedWebSession, request: FastifyRequest): Promise<LoadedWebSession | null> {
    if (await store.lockRefresh(loaded.handle, 10_000)) {
      try {
        const latest = await store.read(loaded.handle);
        if (!latest) return null;
        if (latest.session.refreshToken !== loaded.session.refreshToken) return latest;
        const result = await run({ query: REFRESH, variables: { refreshToken: latest.session.refreshToken } }, internalContext(request));
        const pair = result.body.data?.refreshSession as { accessToken: string; expiresAt: string; refreshToken: string; refreshExpiresAt: string } | undefined;
        if (!pair) {
          const code = result.body.errors?.[0]?.extensions?.code;
          if (code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.FORBIDDEN) {
            // Signed out elsewhere, revoked or locked: the session is over.
            await store.destroy(latest);
            return null;
          }
          // Identity unreachable or the refresh limited: keep the session; the access token may still do.
          log?.warn({ code }, 'web session refresh failed; keeping the current access token');
          return latest;
        }
        const next: LoadedWebSession = {
          handle: latest.handle,
          session: {
            ...latest.session,
            accessToken: pair.accessToken,
            accessExpiresAt: Date.parse(pair.expiresAt),
            refreshToken: pair.refreshToken,
            refreshExpiresAt: Date.parse(pair.refreshExpiresAt),
          },
        };
        await store.save(next);
        return next;
      } finally {
        await store.unlockRefresh(loaded.handle);
      }
    }
    // Another request is refreshing: wait for the new pair (at most ~5 s), then use it.
    for (let waited = 0; waited < 5_000; waited += 100) {
      await sleep(100);
      const latest = await store.read(loaded.handle);
      if (!latest) return null;
      if (latest.session.refreshToken !== loaded.session.refreshToken) return latest;
    }
    return loaded;
  }

  async function fresh(loaded: LoadedWebSession, request: FastifyRequest): Promise<LoadedWebSession | null> {
    if (loaded.session.accessExpiresAt - Date.now() > margin) return loaded;
    let pending = refreshing.get(loaded.handle);
    if (!pending) {
      pending = refresh(loaded, request).finally(() => refreshing.delete(loaded.handle));
      refreshing.set(loaded.handle, pending);
    }
    return pending;
  }

  /**
   * CSRF: a request that carries the session cookie, or that signs in or out,
   * and changes state must come from an allowed origin (Origin, else Referer).
   * Together with JSON-only bodies (a cross-site form cannot send them) this
   * refuses cross-site forms and scripts alike.
   */
  function csrfRefusal(request: FastifyRequest, hasCookie: boolean): string | undefined {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return undefined;
    const signing = request.routeOptions.url?.startsWith('/auth/') === true;
    if (!hasCookie && !signing) return undefined;
    const origin = requestOrigin(request);
    if (origin === undefined) {
      // Browsers always send Origin on POST; a cookie without one is not a browser we can vouch for.
      return hasCookie ? 'A request with a session cookie must say its Origin.' : undefined;
    }
    if (!isAllowedOrigin(origin, request, allowList)) return `Requests from ${origin} may not act on this session.`;
    if (signing) {
      const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') return 'Send a JSON body (content-type: application/json).';
    }
    return undefined;
  }

  async function resolve(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { name } = cookieFor(request);
    const secret = request.cookies[name];
    const refusal = csrfRefusal(request, secret !== undefined);
    if (refusal) {
      return send(reply, ErrorCode.FORBIDDEN, refusal, { reason: 'CSRF' });
    }
    request.webSession = null;
    if (secret === undefined) return;
    let loaded: LoadedWebSession | null;
    try {
      loaded = await store.load(secret);
      if (loaded) loaded = await fresh(loaded, request);
      if (loaded) await store.touch(loaded);
    } catch (err) {
      // The session store is down: nobody can be signed in safely; say so rather than run anonymously.
      log?.error({ err: (err as Error).message }, 'web session store failed');
      return send(reply, ErrorCode.SERVICE_UNAVAILABLE, 'Sessions are temporarily unavailable. Try again shortly.');
    }
    if (!loaded) clearCookie(request, reply);
    request.webSession = loaded;
  }

  /** Refuses token operations sent by the browser and ends browser sessions revoked through the graph. */
  const plugin: BffPlugin = {
    name: 'web-sessions',
    async guard(request) {
      if (request.contextValue.internal) return;
      const refused = [...new Set(collectRootFields(request).map((f) => f.name).filter((name) => TOKEN_FIELDS.has(name)))];
      if (refused.length) {
        throw new GraphQLError(
          `On the web, sign in and out with POST /auth/login and POST /auth/logout; the session refreshes itself. Tokens never reach the browser (${refused.join(', ')}).`,
          { extensions: { code: ErrorCode.FORBIDDEN, reason: 'WEB_SESSION_ONLY', http: { status: 403 } } },
        );
      }
    },
    apollo: [
      {
        async requestDidStart() {
          return {
            async willSendResponse(context) {
              const { operation, response, document } = context;
              if (!operation || !document || response.body.kind !== 'single') return;
              const data = response.body.singleResult.data as Record<string, unknown> | null | undefined;
              // Each revokeSession that ran and answered true, under whatever alias or fragment it came.
              const revoked = collectRootFields({ ...context, document }).filter((f) => f.name === 'revokeSession' && data?.[f.responseKey] === true);
              for (const { args } of revoked) {
                if (typeof args.id === 'string') await store.destroyById(args.id).catch((err: Error) => log?.warn({ err: err.message }, 'could not end a revoked web session'));
              }
            },
          };
        },
      },
    ],
  };

  /** The GraphQL context: the client's own bearer header if it sent one, else the session's token. */
  async function context(request: FastifyRequest): Promise<BffContext> {
    const base = bffContextFromRequest(request);
    if (base.authorization || !request.webSession) return base;
    return { ...base, authorization: `Bearer ${request.webSession.session.accessToken}` };
  }

  async function register(app: FastifyInstance, logger: Logger, handle: BffHandle): Promise<void> {
    bff = handle;
    log = logger;
    await app.register(cookie);
    app.decorateRequest('webSession', null);
    // On the routes themselves (matched as registered, whatever the spelling of the URL): /graphql and /auth/*.
    app.addHook('onRoute', (route) => {
      if (route.url === '/graphql' || route.url.startsWith('/auth/')) addRouteHook(route, 'preHandler', resolve);
    });

    app.post('/auth/login', async (request, reply) => {
      const parsed = loginBody.safeParse(request.body);
      if (!parsed.success) return send(reply, ErrorCode.BAD_USER_INPUT, 'Send {"email": "...", "password": "..."} as JSON.');
      // Rotation: whatever session this browser had ends before a new one starts (no session fixation).
      if (request.webSession) await endSession(request, request.webSession);
      const result = await run({ query: LOGIN, variables: { input: parsed.data } }, internalContext(request));
      const login = result.body.data?.login as
        | { accessToken: string; expiresAt: string; refreshToken: string; refreshExpiresAt: string; user: { id: string; email: string; displayName: string; roles: string[] } }
        | undefined;
      if (!login) {
        // A refusal by the BFF carries its HTTP status; one by identity (a 200 with errors) gets its code's.
        const extensions = result.body.errors?.[0]?.extensions ?? {};
        const retryAfter = result.headers.get('retry-after') ?? (typeof extensions.retryAfter === 'number' ? String(extensions.retryAfter) : undefined);
        if (retryAfter) reply.header('retry-after', retryAfter);
        const status = result.status >= 400 ? result.status : isErrorCode(extensions.code) ? httpStatusFor[extensions.code] : 401;
        return reply.code(status).send({ errors: result.body.errors });
      }
      const claims = decodeJwt(login.accessToken);
      const { secret, session } = await store.create({
        id: String(claims.sid),
        userId: login.user.id,
        accessToken: login.accessToken,
        accessExpiresAt: Date.parse(login.expiresAt),
        refreshToken: login.refreshToken,
        refreshExpiresAt: Date.parse(login.refreshExpiresAt),
      });
      setCookie(request, reply, secret);
      return reply.send({ user: login.user, session: describe(session) });
    });

    app.post('/auth/logout', async (request, reply) => {
      const session = request.webSession;
      if (session) await endSession(request, session);
      clearCookie(request, reply);
      return reply.send({ loggedOut: session !== null });
    });

    app.get('/auth/session', async (request, reply) => {
      if (!request.webSession) return send(reply, ErrorCode.UNAUTHENTICATED, 'Not signed in.');
      const { session } = request.webSession;
      return reply.header('cache-control', 'no-store').send({ user: { id: session.userId }, session: describe(session) });
    });
  }

  /** Ends a session here and in identity (best effort there: the record here is what the cookie needs). */
  async function endSession(request: FastifyRequest, loaded: LoadedWebSession): Promise<void> {
    await store.destroy(loaded);
    try {
      await run({ query: LOGOUT, variables: { refreshToken: loaded.session.refreshToken } }, internalContext(request, loaded.session.accessToken));
    } catch (err) {
      log?.warn({ err: (err as Error).message }, 'identity sign-out failed; the web session is ended');
    }
  }

  function describe(session: LoadedWebSession['session']) {
    return {
      id: session.id,
      createdAt: new Date(session.createdAt).toISOString(),
      expiresAt: new Date(session.absoluteExpiresAt).toISOString(),
      idleTimeoutSeconds: Math.round(store.timeouts.idleMs / 1000),
    };
  }

  return { plugin, context, register };
}
