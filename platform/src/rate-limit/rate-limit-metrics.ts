import { Counter, Gauge, type Registry } from 'prom-client';
import { registeredMetric } from '../server/metrics';

/** What a server's rate limits report: refusals, and whether the in-memory fallback is answering for Redis. */
export interface RateLimitMetrics {
  /** Counts a request refused by `limit` (`requests`, `cost`, `field:<name>`, `uploads`, `downloads:<route>`): `rate_limit_refusals_total{limit, client}`. */
  refused(limit: string): void;
  /**
   * Sets `redis_fallback_in_use{component}`: 1 after a call to the shared (Redis) limiter failed and the
   * in-memory fallback answered, 0 after a call to it succeeded.
   */
  fallbackInUse(component: string, inUse: boolean): void;
}

/**
 * The rate-limit metrics of a server whose requests come through `client` (`web`, `mobile`),
 * registered in its registry on first use. A clustered server's primary reports the fallback
 * gauge of any worker on it (the largest), and the refusals of all of them.
 */
export function rateLimitMetrics(registry: Registry, client: string): RateLimitMetrics {
  const refusals = registeredMetric(
    registry,
    'rate_limit_refusals_total',
    () =>
      new Counter({
        name: 'rate_limit_refusals_total',
        help: 'Requests refused by a rate limit (RATE_LIMITED), by limit and client',
        labelNames: ['limit', 'client'],
        registers: [registry],
      }),
  );
  const fallback = registeredMetric(
    registry,
    'redis_fallback_in_use',
    () =>
      new Gauge({
        name: 'redis_fallback_in_use',
        help: 'Whether a component runs on its in-memory fallback because its Redis calls fail (1) or not (0)',
        labelNames: ['component'],
        registers: [registry],
        aggregator: 'max',
      }),
  );
  return {
    refused: (limit) => refusals.inc({ limit, client }),
    fallbackInUse: (component, inUse) => fallback.set({ component }, inUse ? 1 : 0),
  };
}
