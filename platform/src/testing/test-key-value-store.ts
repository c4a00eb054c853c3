import { randomBytes } from 'node:crypto';
import { createMemoryKeyValueStore, createRedisKeyValueStore, type KeyValueStore } from '../kv';

/** A key-value store of the test's own: Redis under a random prefix when REDIS_URL is set, memory otherwise. */
export async function createTestKeyValueStore(): Promise<KeyValueStore> {
  const url = process.env.REDIS_URL;
  if (!url) return createMemoryKeyValueStore();
  return createRedisKeyValueStore({ url, keyPrefix: `test:${randomBytes(6).toString('hex')}:` });
}
