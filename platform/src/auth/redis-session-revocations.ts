import { connectRedis } from '../kv/redis-connection';
import type { Logger } from '../logger';
import { createPeriodicWorker } from '../workers/periodic-worker';
import { RevokedSessionSet } from './revoked-session-set';
import type { SessionRevocations } from './session-revocations';

/** Options for {@link createRedisSessionRevocations}. */
export interface RedisSessionRevocationsOptions {
  url: string;
  /** Prefix of the list's key; default ''. */
  keyPrefix?: string;
  /** Longest a Redis command may take, in ms; default 500. */
  commandTimeoutMs?: number;
  /** How often the list is read for new entries, in ms; default 250, so a revocation reaches every process within about a second. */
  pollIntervalMs?: number;
  /** How long after its last successful read the copy stops counting as current, in ms; default 3,000. */
  staleAfterMs?: number;
  logger?: Logger;
  /** Clock, for tests; default Date.now. */
  now?: () => number;
}

type Connection = Awaited<ReturnType<typeof connectRedis>>;

/** The stream's key under the prefix. */
export const REVOKED_SESSIONS_KEY = 'sessions:revoked';
const PAGE = 1_000;

/**
 * The shared list in Redis, as a stream: one entry per ended session (`sid`,
 * and `until`, when no token of it can still be valid), trimmed by age on every
 * write (`MINID ~`). A stream rather than a sorted set by time because its ids
 * only ever grow, even if clocks disagree, so "every entry after the last one I
 * read" (`XRANGE (<last id> +`) never misses one.
 *
 * Each process keeps a copy in memory, read every `pollIntervalMs`; checking a
 * token is a lookup in that copy, never a round trip. The copy counts as current
 * for `staleAfterMs` after a successful read; past that (Redis lost, or
 * unreachable at start) money operations refuse (`isCurrent`), reads go on.
 * Starting never fails on Redis: the connection is (re)tried by the reads.
 */
export function createRedisSessionRevocations(options: RedisSessionRevocationsOptions): SessionRevocations & { firstSync: Promise<void> } {
  const now = options.now ?? Date.now;
  const key = (options.keyPrefix ?? '') + REVOKED_SESSIONS_KEY;
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const staleAfterMs = options.staleAfterMs ?? 3_000;
  const revoked = new RevokedSessionSet(now);
  let connection: Connection | undefined;
  let connecting: Promise<Connection> | undefined;
  let lastEntryId: string | undefined;
  let lastSyncAt: number | undefined;
  let failing = false;
  let closed = false;

  function connect(): Promise<Connection> {
    if (connection) return Promise.resolve(connection);
    connecting ??= connectRedis({ url: options.url, commandTimeoutMs, connectTimeoutMs: Math.max(commandTimeoutMs, 1_000) })
      .then((made) => {
        if (closed) {
          made.client.destroy();
          throw new Error('the session revocation list is closed');
        }
        connection = made;
        return made;
      })
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  }

  /** Reads every entry after the last one seen, a page at a time. */
  async function sync(): Promise<void> {
    const { client, run } = await connect();
    for (;;) {
      const entries = (await run(client.xRange(key, lastEntryId ? `(${lastEntryId}` : '-', '+', { COUNT: PAGE }))) ?? [];
      for (const entry of entries) {
        const fields = entry.message as Record<string, unknown>;
        const until = Number(fields.until);
        if (typeof fields.sid === 'string' || fields.sid instanceof Buffer) revoked.add(String(fields.sid), until);
        lastEntryId = String(entry.id);
      }
      if (entries.length < PAGE) break;
    }
    lastSyncAt = now();
    if (failing) options.logger?.info('session revocation list readable again');
    failing = false;
  }

  /** One read for the worker; a failure is logged once per outage and rethrown, so the worker tries again. */
  async function poll(): Promise<void> {
    try {
      await sync();
    } catch (err) {
      // Said once per outage; the staleness is also a metric (session_revocations_sync_age_seconds).
      if (!failing) options.logger?.warn({ err: (err as Error).message }, 'cannot read the session revocation list; money operations refuse until it is read again');
      failing = true;
      throw err;
    } finally {
      firstPassDone();
    }
  }

  // Settled by the first read, whether Redis answered or not: starting never fails on Redis.
  let firstPassDone!: () => void;
  const firstSync = new Promise<void>((resolve) => (firstPassDone = resolve));
  // Without backoff: the copy must catch up as soon as Redis answers again. No logger: poll() says what matters.
  const reader = createPeriodicWorker({ name: 'session-revocations', run: poll, intervalMs: pollIntervalMs, maxBackoffMs: pollIntervalMs });
  reader.start();

  return {
    kind: 'redis',
    firstSync,
    async revoke(sessionIds, keepMs) {
      if (sessionIds.length === 0) return;
      const { client, run } = await connect();
      const until = now() + keepMs;
      const transaction = client.multi();
      for (const sid of sessionIds) {
        // Entries older than any token they could stop are trimmed by every write.
        transaction.xAdd(key, '*', { sid, until: String(until) }, { TRIM: { strategy: 'MINID', strategyModifier: '~', threshold: now() - keepMs } });
      }
      await run(transaction.exec());
      for (const sid of sessionIds) revoked.add(sid, until);
    },
    isRevoked: (sessionId) => revoked.has(sessionId),
    isCurrent: () => lastSyncAt !== undefined && now() - lastSyncAt <= staleAfterMs,
    syncAgeMs: () => (lastSyncAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now() - lastSyncAt)),
    async close() {
      closed = true;
      const stopped = reader.stop();
      // Destroyed first, so a read in flight fails at once; then that read is waited for.
      if (connection?.client.isOpen) connection.client.destroy();
      await stopped;
      await connecting?.catch(() => undefined);
      connection = undefined;
      revoked.clear();
    },
  };
}
