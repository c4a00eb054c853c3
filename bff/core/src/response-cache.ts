import { randomUUID } from 'node:crypto';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { EventBus, KeyValueStore, Logger, Subscription } from '@meridian/platform';

/** How long a user's generation is remembered: far longer than any entry lives. */
const GENERATION_TTL_MS = 24 * 60 * 60 * 1000;

/** The generation of a user nothing was ever invalidated for (or not for a day). */
const FIRST_GENERATION = '0';

/** Options for {@link createResponseCache}. */
export interface ResponseCacheOptions {
  /** Where entries and generations live: Redis in services mode (shared by every BFF replica), memory when embedded. */
  store: KeyValueStore;
  /** Longest an entry lives, whatever the subgraphs allowed, in seconds. */
  maxAgeSeconds: number;
  logger?: Logger;
}

/**
 * The BFFs' per-user response cache: whole query responses, kept only as long
 * as the subgraphs' cache hints allow (capped), under keys that carry the
 * user's *generation*. Invalidating a user gives them a new generation, so
 * every entry made before is never read again (it expires on its own) — one
 * write, whatever the number of entries. A read that started before the
 * invalidation wrote its entry under the old generation, so it cannot bring
 * stale data back either.
 *
 * When the store fails to record an invalidation, the cache is not trusted by
 * this process for the longest an entry lives: nothing is read from it or
 * written to it until every entry made before has expired.
 */
export interface ResponseCache {
  /** What the Apollo response-cache plugin reads and writes (errors are misses; TTLs capped). */
  readonly entries: KeyValueCache;
  /** The user's current generation; undefined when the cache must not be used now. */
  generation(userId: string): Promise<string | undefined>;
  /**
   * Gives each user a new generation: their cached responses are never read
   * again. Rejects when the store did not record it (the cache is then
   * distrusted here, see above), so an event handler is retried.
   */
  invalidate(userIds: Iterable<string>): Promise<void>;
  /** Longest an entry lives, in seconds. */
  readonly maxAgeSeconds: number;
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { store, maxAgeSeconds, logger } = options;
  let distrustedUntil = 0;
  const trusted = () => Date.now() >= distrustedUntil;
  const distrust = (err: unknown, what: string) => {
    distrustedUntil = Date.now() + maxAgeSeconds * 1000;
    logger?.error({ err }, `response cache: ${what}; not used until its entries have expired`);
  };
  const entryKey = (key: string) => `response-cache:entry:${key}`;
  const generationKey = (userId: string) => `response-cache:generation:${userId}`;

  const entries: KeyValueCache = {
    async get(key) {
      if (!trusted()) return undefined;
      try {
        return (await store.get(entryKey(key))) ?? undefined;
      } catch (err) {
        logger?.warn({ err }, 'response cache: read failed, answered from the subgraphs');
        return undefined;
      }
    },
    async set(key, value, setOptions?: KeyValueCacheSetOptions) {
      const ttl = Math.min(setOptions?.ttl ?? maxAgeSeconds, maxAgeSeconds);
      if (!trusted() || !(ttl > 0)) return;
      await store.set(entryKey(key), value, ttl * 1000).catch((err: unknown) => logger?.warn({ err }, 'response cache: write failed'));
    },
    async delete(key) {
      await store.delete(entryKey(key)).catch(() => undefined);
    },
  };

  return {
    entries,
    maxAgeSeconds,
    async generation(userId) {
      if (!trusted()) return undefined;
      try {
        return (await store.get(generationKey(userId))) ?? FIRST_GENERATION;
      } catch (err) {
        logger?.warn({ err }, 'response cache: generation unreadable, answered from the subgraphs');
        return undefined;
      }
    },
    async invalidate(userIds) {
      const users = [...new Set(userIds)];
      try {
        await Promise.all(users.map((userId) => store.set(generationKey(userId), randomUUID(), GENERATION_TTL_MS)));
      } catch (err) {
        distrust(err, `invalidating ${users.length} user(s) failed`);
        throw err;
      }
    },
  };
}

/** The streams whose events change what customers see, and so end their cached responses. */
export const INVALIDATING_STREAMS = ['ledger.events', 'payments.events', 'kyc.events'] as const;

/**
 * The customers a domain event concerns: every domain event names them in
 * `userId`, `counterpartyUserId` or `ownerIds` (the owners of the accounts a
 * ledger transfer touched).
 */
export function usersOfEvent(payload: Record<string, unknown>): string[] {
  const users: string[] = [];
  for (const value of [payload.userId, payload.counterpartyUserId]) if (typeof value === 'string' && value) users.push(value);
  if (Array.isArray(payload.ownerIds)) for (const value of payload.ownerIds) if (typeof value === 'string' && value) users.push(value);
  return users;
}

/** Options for {@link subscribeResponseCacheInvalidation}. */
export interface ResponseCacheInvalidationOptions {
  bus: EventBus;
  cache: ResponseCache;
  /** The consumer group: one per BFF kind, so each kind sees every event whatever the other does. */
  group: string;
  /** This process's name in the group. */
  consumer: string;
}

/**
 * Consumes the domain streams and invalidates the users each event names, so a
 * change made elsewhere (a payment received, a scheduled payment run, a review
 * decided) ends their cached responses within the bus's delivery time. A
 * user's own mutations through a BFF invalidate before the answer goes out.
 * Starts at the stream's end: entries older than the subscription have expired.
 */
export async function subscribeResponseCacheInvalidation(options: ResponseCacheInvalidationOptions): Promise<Subscription[]> {
  const handle = async (event: { payload: Record<string, unknown> }) => {
    const users = usersOfEvent(event.payload);
    if (users.length) await options.cache.invalidate(users);
  };
  // Short blocking reads: a BFF that stops waits for the read in flight, and one stops at every rollout.
  return Promise.all(
    INVALIDATING_STREAMS.map((stream) => options.bus.subscribe(stream, options.group, options.consumer, handle, { startAt: 'end', batchSize: 100, blockMs: 250 })),
  );
}
