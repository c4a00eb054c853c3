import os from 'node:os';
import { createMemoryKeyValueStore, openEventBus, registerConsumerGroupMetrics, type EventBus, type Logger, type ServerMetrics } from '@meridian/platform';
import type { BffConfig } from './bff-config';
import { createResilientRedisKeyValueStore } from './resilient-redis';
import { createResponseCache, INVALIDATING_STREAMS, subscribeResponseCacheInvalidation, type ResponseCache } from './response-cache';

/** What a BFF may be given for its response cache (see BffDeps); neither is closed by it. */
export interface ResponseCacheDeps {
  responseCache?: ResponseCache;
  eventBus?: EventBus;
}

/**
 * The response cache the configuration asks for, and its invalidation by domain events: the
 * given cache and bus, else Redis at REDIS_URL for both, else a cache in memory that only the
 * users' own mutations invalidate (a BFF on its own, as in tests).
 */
export async function openResponseCache(config: BffConfig, deps: ResponseCacheDeps, name: string, logger: Logger, metrics: ServerMetrics) {
  const off = { responseCache: undefined, closeResponseCache: async () => undefined };
  if (!config.RESPONSE_CACHE) return off;
  let ownBus: EventBus | undefined;
  if (!deps.eventBus && config.REDIS_URL) {
    try {
      ownBus = await openEventBus(config, { logger });
    } catch (err) {
      // Without the events, changes made elsewhere would not end cached answers: no cache rather than a stale one.
      logger.error({ err }, 'response cache off: the event bus at REDIS_URL could not be opened');
      return off;
    }
  }
  const bus = deps.eventBus ?? ownBus;
  const ownStore = deps.responseCache
    ? undefined
    : config.REDIS_URL
      ? createResilientRedisKeyValueStore({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS, logger })
      : createMemoryKeyValueStore();
  if (ownStore && 'firstAttempt' in ownStore) await ownStore.firstAttempt;
  const responseCache = deps.responseCache ?? createResponseCache({ store: ownStore!, maxAgeSeconds: config.RESPONSE_CACHE_MAX_AGE_SECONDS, logger });
  const group = `${name}-response-cache`;
  const subscriptions = bus ? await subscribeResponseCacheInvalidation({ bus, cache: responseCache, group, consumer: `${os.hostname()}-${process.pid}` }) : [];
  if (bus) registerConsumerGroupMetrics(metrics.registry, bus, INVALIDATING_STREAMS.map((stream) => ({ stream, group })), { logger });
  if (!bus) logger.warn('response cache: no event bus, so only a user’s own mutations end their cached responses');
  return {
    responseCache,
    async closeResponseCache() {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      await ownBus?.close();
      await ownStore?.close();
    },
  };
}
