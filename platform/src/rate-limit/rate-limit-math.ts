import type { RateLimitPolicy, RateLimitResult } from './rate-limiter';

/** Stored state of one caller. */
export interface RateLimitState {
  windowStart: number;
  count: number;
  tokens: number;
  at: number;
}

/**
 * One check, as pure arithmetic: the memory adapter runs it directly and the
 * Redis adapter runs the same steps in Lua. A refused request changes neither
 * the window count nor the bucket.
 */
export function applyRateLimit(
  state: RateLimitState | undefined,
  cost: number,
  policy: RateLimitPolicy,
  now: number,
): { result: RateLimitResult; state: RateLimitState; ttlMs: number } {
  const windowOpen = state && now - state.windowStart < policy.windowMs;
  const windowStart = windowOpen ? state.windowStart : now;
  const count = windowOpen ? state.count : 0;
  const perMs = policy.costRestoreRate / 1000;
  const tokens = Math.min(policy.costCapacity, (state?.tokens ?? policy.costCapacity) + (state ? Math.max(0, now - state.at) * perMs : 0));
  const resetAt = windowStart + policy.windowMs;

  let refusedBy: RateLimitResult['refusedBy'];
  let retryAfterMs = 0;
  if (count >= policy.requestsPerWindow) {
    refusedBy = 'requests';
    retryAfterMs = resetAt - now;
  } else if (tokens < cost) {
    refusedBy = 'cost';
    retryAfterMs = cost > policy.costCapacity ? Number.POSITIVE_INFINITY : Math.ceil((cost - tokens) / perMs);
  }
  const allowed = refusedBy === undefined;
  const next: RateLimitState = {
    windowStart,
    count: allowed ? count + 1 : count,
    tokens: allowed ? tokens - cost : tokens,
    at: now,
  };
  return {
    state: next,
    ttlMs: Math.max(resetAt - now, Math.ceil((policy.costCapacity - next.tokens) / perMs)) + 1_000,
    result: {
      allowed,
      refusedBy,
      retryAfterMs,
      requests: { limit: policy.requestsPerWindow, remaining: Math.max(0, policy.requestsPerWindow - next.count), resetAt: new Date(resetAt) },
      cost: { maximumAvailable: policy.costCapacity, currentlyAvailable: Math.floor(next.tokens), restoreRate: policy.costRestoreRate },
    },
  };
}
