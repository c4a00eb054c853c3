import { connectRedis, type RedisConnectionOptions } from './redis-connection';
import type { KeyValueStore, WindowCount } from './key-value-store';

/** Options for {@link createRedisKeyValueStore}. */
export type RedisKeyValueStoreOptions = RedisConnectionOptions;

// INCR then, on the first hit, PEXPIRE: one round trip, atomic under concurrency.
const incrementWindowScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/**
 * Redis adapter: commands never queue while disconnected and never wait longer
 * than the timeout, so a Redis outage turns into fast errors, not hung requests.
 */
export async function createRedisKeyValueStore(options: RedisConnectionOptions): Promise<KeyValueStore> {
  const prefix = options.keyPrefix ?? '';
  const { client, run } = await connectRedis(options);
  const k = (key: string) => prefix + key;

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
    async expire(key, ttlMs) {
      return Boolean(await run(client.pExpire(k(key), ttlMs)));
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
