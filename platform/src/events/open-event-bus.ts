import type { BaseConfig } from '../config';
import type { KeyValueStore } from '../kv';
import type { Logger } from '../logger';
import type { EventBus } from './event-bus';
import { createMemoryEventBus } from './memory-event-bus';
import { createRedisEventBus } from './redis-event-bus';

/**
 * Opens the event bus the configuration asks for: Redis Streams when REDIS_URL is
 * set, the in-process bus otherwise. `store` remembers handled event ids; by default
 * the bus opens one of its own on the same backend.
 */
export function openEventBus(
  config: BaseConfig,
  options: { keyPrefix?: string; store?: KeyValueStore; logger?: Logger } = {},
): Promise<EventBus> {
  if (!config.REDIS_URL) return Promise.resolve(createMemoryEventBus({ store: options.store, logger: options.logger }));
  return createRedisEventBus({
    url: config.REDIS_URL,
    keyPrefix: options.keyPrefix ?? config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    store: options.store,
    logger: options.logger,
  });
}
