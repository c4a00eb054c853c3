import { errors, type Logger, type SessionRevocations } from '@meridian/platform';
import pRetry from 'p-retry';
import type { DataSource, EntityManager } from 'typeorm';

/** Where identity puts the sessions it ends, and for how long. */
export interface SessionRevocationTarget {
  list: SessionRevocations;
  /** How long an entry stays: as long as an access token of the session could still be believed. */
  keepMs: number;
  logger?: Logger;
}

/** Verifiers' clock tolerance (5 s) plus room for clocks that disagree: added to the token lifetime. */
const MARGIN_MS = 30_000;

/** How long a revoked session must stay on the list for tokens of `accessTokenTtlSeconds`. */
export function revocationKeepMs(accessTokenTtlSeconds: number): number {
  return accessTokenTtlSeconds * 1000 + MARGIN_MS;
}

// Kept by data source, set once when the server is built: the functions of
// session-family.ts take only an EntityManager (any service's transaction), and
// every one of them reaches the list without its callers passing it along.
const targets = new WeakMap<DataSource, SessionRevocationTarget>();

/** Makes every session ended through `db` go on `target.list` (see {@link publishRevokedSessions}). */
export function bindSessionRevocations(db: DataSource, target: SessionRevocationTarget): void {
  targets.set(db, target);
}

/** One retry, after a pause of 50 to 100 ms (random, so writers that failed together do not retry together). */
const RETRY = { retries: 1, minTimeout: 50, randomize: true } as const;

/**
 * Puts sessions on the revocation list from inside the transaction that ends
 * them, before it commits — never after:
 *
 * - the list cannot be written (Redis lost, or no answer within the command
 *   timeout): this throws SERVICE_UNAVAILABLE, the transaction rolls back and
 *   the session is not ended, so a sign-out fails clearly and can be tried
 *   again; it never answers success while the tokens still work;
 * - the list was written and the commit then fails (or a write that timed out
 *   lands late): the session is on the list but still live in the database, so
 *   its tokens (and any a refresh mints, which carry the same `sid`) are
 *   refused: the failure leans towards signed out, never towards signed in.
 *
 * Written after the commit instead, a failure could no longer be undone, and a
 * retried sign-out would find the session ended and publish nothing.
 * One retry after a short random pause absorbs a dropped connection; each
 * attempt is bounded by REDIS_COMMAND_TIMEOUT_MS, so the session's row lock is
 * held about a second at most.
 * Errors: SERVICE_UNAVAILABLE.
 */
export async function publishRevokedSessions(manager: EntityManager, sessionIds: readonly string[]): Promise<void> {
  const target = targets.get(manager.connection);
  // A programming error, not a client's: identity built without a list would let signed-out tokens work.
  if (!target) throw new Error('No session revocation list is bound to this data source (bindSessionRevocations).');
  if (sessionIds.length === 0) return;
  try {
    await pRetry(() => target.list.revoke(sessionIds, target.keepMs), RETRY);
  } catch (err) {
    target.logger?.error({ err: (err as Error).message, sessions: sessionIds.length }, 'could not write the session revocation list; nothing was ended');
    throw errors.unavailable('Signing out cannot be completed right now; nothing was changed. Try again shortly.');
  }
}
