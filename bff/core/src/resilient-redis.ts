import pRetry from 'p-retry';
import {
  createRedisKeyValueStore,
  createRedisRateLimiter,
  type KeyValueStore,
  type Logger,
  type RateLimiter,
} from '@meridian/platform';

/** Options for the resilient Redis adapters. */
export interface ResilientRedisOptions {
  url: string;
  keyPrefix?: string;
  commandTimeoutMs: number;
  logger: Logger;
  /** Pause between connection attempts while Redis is unreachable; default 2 s. */
  retryMs?: number;
}

/** A Redis-backed adapter that may not be connected yet. */
interface Reconnecting<T> {
  /** The connected adapter; throws at once while Redis is unreachable. */
  current(): T;
  /** Settles after the first attempt, connected or not, so a server can start with the adapter ready. */
  firstAttempt: Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects in the background and keeps trying while Redis is unreachable, so a
 * BFF starts without Redis and every call fails fast (the caller's fallback or
 * fail-closed rule applies) until the connection is made.
 */
function keepConnecting<T extends { close(): Promise<void> }>(what: string, connect: () => Promise<T>, options: ResilientRedisOptions): Reconnecting<T> {
  let adapter: T | undefined;
  const stop = new AbortController();
  const connectOnce = async () => {
    const connected = await connect();
    if (stop.signal.aborted) await connected.close();
    else adapter = connected;
  };
  const retryMs = options.retryMs ?? 2_000;
  const firstAttempt = connectOnce().catch((err: unknown) => {
    options.logger.warn({ err: (err as Error).message }, `${what} cannot reach Redis; retrying`);
    // Keeps trying in the background, every retryMs, until connected or closed.
    pRetry(connectOnce, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: retryMs,
      maxTimeout: retryMs,
      signal: stop.signal,
      onFailedAttempt: ({ error }) => options.logger.debug({ err: error.message }, `${what} still cannot reach Redis`),
    }).catch(() => undefined);
  });
  return {
    firstAttempt,
    current() {
      if (!adapter) throw new Error('Redis is not connected');
      return adapter;
    },
    async close() {
      stop.abort();
      await adapter?.close();
    },
  };
}

const connectionOptions = (options: ResilientRedisOptions) => ({
  url: options.url,
  keyPrefix: options.keyPrefix,
  commandTimeoutMs: options.commandTimeoutMs,
  connectTimeoutMs: Math.max(options.commandTimeoutMs, 1_000),
});

/** A Redis rate limiter that lets the BFF start while Redis is unreachable (see {@link keepConnecting}). */
export function createResilientRedisRateLimiter(options: ResilientRedisOptions): RateLimiter & { firstAttempt: Promise<void> } {
  const redis = keepConnecting('rate limiter', () => createRedisRateLimiter(connectionOptions(options)), options);
  return {
    firstAttempt: redis.firstAttempt,
    kind: 'redis',
    check: async (identity, cost, policy) => redis.current().check(identity, cost, policy),
    recordCall: async (key, at, keepMs) => redis.current().recordCall(key, at, keepMs),
    close: () => redis.close(),
  };
}

/** A Redis key-value store that lets the BFF start while Redis is unreachable (see {@link keepConnecting}). */
export function createResilientRedisKeyValueStore(options: ResilientRedisOptions): KeyValueStore & { firstAttempt: Promise<void> } {
  const redis = keepConnecting('key-value store', () => createRedisKeyValueStore(connectionOptions(options)), options);
  return {
    firstAttempt: redis.firstAttempt,
    kind: 'redis',
    get: async (key) => redis.current().get(key),
    set: async (key, value, ttlMs) => redis.current().set(key, value, ttlMs),
    setIfAbsent: async (key, value, ttlMs) => redis.current().setIfAbsent(key, value, ttlMs),
    delete: async (key) => redis.current().delete(key),
    expire: async (key, ttlMs) => redis.current().expire(key, ttlMs),
    incrementWindow: async (key, windowMs) => redis.current().incrementWindow(key, windowMs),
    ttl: async (key) => redis.current().ttl(key),
    ping: async () => redis.current().ping(),
    close: () => redis.close(),
  };
}
