import { ErrorCode, type Logger } from '@meridian/platform';
import pRetry from 'p-retry';
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

/** Thrown while another request's refresh has not landed yet, so the wait goes on. */
class NotYet extends Error {}

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
    if (await store.lockRefresh(loaded.handle, 10_000)) {
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
    // Another request is refreshing: look for the new pair every 100 ms (for about 5 s), then use it.
    try {
      return await pRetry(
        async () => {
          const latest = await store.read(loaded.handle);
          if (latest && latest.session.refreshToken === loaded.session.refreshToken) throw new NotYet();
          return latest;
        },
        { retries: 50, minTimeout: 100, maxTimeout: 100, shouldRetry: ({ error }) => error instanceof NotYet },
      );
    } catch (err) {
      if (err instanceof NotYet) return loaded;
      throw err;
    }
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
