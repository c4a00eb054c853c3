import { ErrorCode, pollUntil, type Logger } from '@meridian/platform';
import type { FastifyRequest } from 'fastify';
import type { IdentityCalls, WebRefresh } from './identity-calls';
import type { LoadedWebSession, WebSessionStore } from './web-session-store';

/** Options for {@link createSessionRefresher}. */
export interface SessionRefresherOptions {
  store: WebSessionStore;
  identity: IdentityCalls;
  /** Refresh when the access token has less than this left. */
  marginMs: number;
  log: () => Logger | undefined;
}

/** How long a refresh lock is held at most, should the request holding it never let go. */
export const REFRESH_LOCK_TTL_MS = 10_000;

/**
 * Waits on another request that holds the session's refresh lock (a refresh,
 * a step-up): calls `look` every 100 ms, for about 5 s, until it finds what
 * it waits for (the new tokens, the lock). Resolves with that, or undefined.
 */
export function waitOnRefresh<T>(look: () => Promise<T | undefined>): Promise<T | undefined> {
  return pollUntil(look, { everyMs: 100, forMs: 5_000 });
}

/**
 * Keeps a session's access token fresh: shortly before it expires, one
 * refresh per session, coalesced within the process and locked across BFF
 * instances, because presenting the same refresh token twice ends the session.
 * Resolves with the session to use, or null when it is over.
 */
export function createSessionRefresher(options: SessionRefresherOptions) {
  const { store, identity } = options;
  const refreshing = new Map<string, Promise<LoadedWebSession | null>>();

  /** The lock holder refreshes; the others wait for its result. */
  async function refresh(loaded: LoadedWebSession, request: FastifyRequest): Promise<LoadedWebSession | null> {
    if (await store.lockRefresh(loaded.handle, REFRESH_LOCK_TTL_MS)) {
      try {
        const latest = await store.read(loaded.handle);
        if (!latest) return null;
        if (latest.session.refreshToken !== loaded.session.refreshToken) return latest;
        const result = await identity.refresh(request, latest.session.refreshToken);
        const pair = result.body.data?.refreshSession as WebRefresh | undefined;
        if (!pair) {
          const code = result.body.errors?.[0]?.extensions?.code;
          if (code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.FORBIDDEN) {
            // Signed out elsewhere, revoked or locked: the session is over.
            await store.destroy(latest);
            return null;
          }
          // Identity unreachable or the refresh limited: keep the session; the access token may still do.
          options.log()?.warn({ code }, 'web session refresh failed; keeping the current access token');
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
    // Another request is refreshing: wait for the new pair, then use it.
    const landed = await waitOnRefresh(async () => {
      const latest = await store.read(loaded.handle);
      return latest && latest.session.refreshToken === loaded.session.refreshToken ? undefined : latest;
    });
    return landed === undefined ? loaded : landed;
  }

  return {
    /** The session with an access token good for at least the margin, refreshed if need be. */
    fresh(loaded: LoadedWebSession, request: FastifyRequest): Promise<LoadedWebSession | null> {
      if (loaded.session.accessExpiresAt - Date.now() > options.marginMs) return Promise.resolve(loaded);
      let pending = refreshing.get(loaded.handle);
      if (!pending) {
        pending = refresh(loaded, request).finally(() => refreshing.delete(loaded.handle));
        refreshing.set(loaded.handle, pending);
      }
      return pending;
    },
  };
}
