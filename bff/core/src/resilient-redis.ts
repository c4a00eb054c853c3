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
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async () => {
    try {
      const connected = await connect();
      if (closed) await connected.close();
      else adapter = connected;
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, `${what} cannot reach Redis; retrying`);
      if (!closed) {
        timer = setTimeout(attempt, options.retryMs ?? 2_000);
        timer.unref();
      }
    }
  };
  return {
    firstAttempt: attempt(),
    current() {
      if (!adapter) throw new Error('Redis is not connected');
      return adapter;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
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
