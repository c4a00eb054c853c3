import { applyRateLimit, type RateLimitState } from './rate-limit-math';
import type { RateLimiter } from './rate-limiter';

/** Most call times kept per key: more than any field limit allows in its window. */
export const MAX_CALLS = 1_000;

/** Options for {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Clock, for tests; default Date.now. */
  now?: () => number;
  /** Most callers remembered before the oldest are dropped; default 100,000. */
  maxEntries?: number;
}

/** A per-process limiter: the embedded mode's, and the BFFs' fallback for reads while Redis is down. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const states = new Map<string, { state: RateLimitState; expiresAt: number }>();
  const calls = new Map<string, number[]>();
  return {
    kind: 'memory',
    async check(identity, cost, policy) {
      const t = now();
      const held = states.get(identity);
      const { result, state, ttlMs } = applyRateLimit(held && held.expiresAt > t ? held.state : undefined, cost, policy, t);
      states.delete(identity);
      states.set(identity, { state, expiresAt: t + ttlMs });
      // Map keeps insertion order: the first key is the least recently checked.
      if (states.size > maxEntries) states.delete(states.keys().next().value as string);
      return result;
    },
    async recordCall(key, at, keepMs) {
      const earlier = (calls.get(key) ?? []).filter((t) => t > at - keepMs);
      calls.set(key, [...earlier, at].slice(-MAX_CALLS));
      if (calls.size > maxEntries) calls.delete(calls.keys().next().value as string);
      return earlier;
    },
    async close() {
      states.clear();
      calls.clear();
    },
  };
}
