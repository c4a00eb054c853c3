import { createClient } from 'redis';
import type { KeyValueStore, WindowCount } from './key-value-store';

/** Options for {@link createRedisKeyValueStore}. */
export interface RedisKeyValueStoreOptions {
  url: string;
  /** Prefix on every key, to share one Redis between environments or tests. Default ''. */
  keyPrefix?: string;
  /** Longest a command may take before it fails, in ms. Default 500. */
  commandTimeoutMs?: number;
  /** Longest a connection attempt may take, in ms. Default 2 s. */
  connectTimeoutMs?: number;
}

// INCR then, on the first hit, PEXPIRE: one round trip, atomic under concurrency.
const incrementWindowScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

// Token bucket in one atomic call, on Redis' own clock so every BFF instance agrees.
// Mirrors refillBucket() in token-bucket.ts. Returns {allowed, remaining, retryAfterMs (-1: never)}.
const takeFromBucketScript = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
elseif cost > capacity then
  retry = -1
else
  retry = math.ceil((cost - tokens) / per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / per_ms) + 1000)
return {allowed, math.floor(tokens), retry}
`;

/** Rejects when `command` has not settled within `ms`; its late reply is still read and dropped by node-redis. */
function withDeadline<T>(command: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis command timed out after ${ms} ms`)), ms);
  });
  return Promise.race([command, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Redis adapter: commands never queue while disconnected and never wait longer
 * than the timeout, so a Redis outage turns into fast errors, not hung requests.
 */
export async function createRedisKeyValueStore(options: RedisKeyValueStoreOptions): Promise<KeyValueStore> {
  const prefix = options.keyPrefix ?? '';
  const timeoutMs = options.commandTimeoutMs ?? 500;
  let connected = false;
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    // A periodic PING notices a silently dead link (no FIN, no RST) and triggers a reconnect.
    pingInterval: 5_000,
    commandOptions: { timeout: timeoutMs },
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      // Before the first connection, give up so connect() rejects (a bad URL or a down Redis
      // fails the start) instead of retrying forever; once connected, reconnect with backoff.
      reconnectStrategy: (retries: number) => (connected ? Math.min(50 * 2 ** retries, 2_000) : false),
    },
  });
  // Without a listener node-redis rethrows connection errors; callers see them as failed commands.
  client.on('error', () => {});
  await client.connect();
  connected = true;
  const k = (key: string) => prefix + key;
  // node-redis' own timeout only covers a command waiting to be written; this one also
  // covers waiting for the reply, which never comes while the network is stalled.
  const run = <T>(command: Promise<T>) => withDeadline(command, timeoutMs);

  return {
    kind: 'redis',
    async get(key) {
      return run(client.get(k(key)));
    },
    async set(key, value, ttlMs) {
      await run(ttlMs === undefined ? client.set(k(key), value) : client.set(k(key), value, { PX: ttlMs }));
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await run(client.set(k(key), value, { PX: ttlMs, NX: true }))) === 'OK';
    },
    async delete(key) {
      return (await run(client.del(k(key)))) > 0;
    },
    async incrementWindow(key, windowMs): Promise<WindowCount> {
      const [count, ttl] = (await run(
        client.eval(incrementWindowScript, { keys: [k(key)], arguments: [String(windowMs)] }),
      )) as [number, number];
      return { count: Number(count), resetInMs: Number(ttl) };
    },
    async takeFromBucket(key, cost, spec) {
      const [allowed, remaining, retry] = (await run(
        client.eval(takeFromBucketScript, {
          keys: [k(key)],
          arguments: [String(spec.capacity), String(spec.refillPerSecond), String(cost)],
        }),
      )) as [number, number, number];
      const retryAfterMs = Number(retry) < 0 ? Number.POSITIVE_INFINITY : Number(retry);
      return { allowed: Number(allowed) === 1, remaining: Number(remaining), retryAfterMs };
    },
    async ttl(key) {
      const ttl = await run(client.pTTL(k(key)));
      return ttl >= 0 ? ttl : null;
    },
    async ping() {
      await run(client.ping());
    },
    async close() {
      if (client.isOpen) client.destroy();
    },
  };
}
