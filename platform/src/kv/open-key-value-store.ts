import type { BaseConfig } from '../config';
import { createMemoryKeyValueStore } from './memory-key-value-store';
import { createRedisKeyValueStore } from './redis-key-value-store';
import type { KeyValueStore } from './key-value-store';

/**
 * The key-value store the configuration asks for: Redis at REDIS_URL (shared by
 * replicas, keys under REDIS_KEY_PREFIX, `meridian:` by default), or else one in this process's memory.
 */
export async function openKeyValueStore(config: Pick<BaseConfig, 'REDIS_URL' | 'REDIS_COMMAND_TIMEOUT_MS' | 'REDIS_KEY_PREFIX'>): Promise<KeyValueStore> {
  return config.REDIS_URL
    ? createRedisKeyValueStore({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS })
    : createMemoryKeyValueStore();
}
