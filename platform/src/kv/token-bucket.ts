import type { BucketSpec, BucketTake } from './key-value-store';

/**
 * The token-bucket arithmetic both adapters share (the Redis one runs the same
 * steps in Lua): refill since the last take, take `cost` if there is enough.
 */
export function refillBucket(
  state: { tokens: number; at: number } | undefined,
  cost: number,
  spec: BucketSpec,
  now: number,
): { take: BucketTake; tokens: number; ttlMs: number } {
  const perMs = spec.refillPerSecond / 1000;
  const elapsed = state ? Math.max(0, now - state.at) : 0;
  let tokens = Math.min(spec.capacity, (state?.tokens ?? spec.capacity) + elapsed * perMs);
  const allowed = tokens >= cost;
  if (allowed) tokens -= cost;
  const retryAfterMs = allowed ? 0 : cost > spec.capacity ? Number.POSITIVE_INFINITY : Math.ceil((cost - tokens) / perMs);
  const ttlMs = Math.ceil((spec.capacity - tokens) / perMs) + 1_000;
  return { take: { allowed, remaining: Math.floor(tokens), retryAfterMs }, tokens, ttlMs };
}
