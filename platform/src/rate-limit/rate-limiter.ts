/** Limits for one caller: a request window and a cost budget (token bucket). */
export interface RateLimitPolicy {
  /** Requests allowed per window. */
  requestsPerWindow: number;
  windowMs: number;
  /** Cost points the bucket holds when full. */
  costCapacity: number;
  /** Points restored per second. */
  costRestoreRate: number;
}

/** The state a check leaves, reported to clients like Shopify and GitHub do. */
export interface RateLimitResult {
  allowed: boolean;
  /** Which limit refused the request, when one did. */
  refusedBy?: 'requests' | 'cost';
  /** Milliseconds until a retry can succeed (0 when allowed; Infinity when the cost can never fit). */
  retryAfterMs: number;
  requests: { limit: number; remaining: number; resetAt: Date };
  cost: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

/**
 * Checks and records one request atomically: it counts against the window and
 * its cost is taken from the bucket only when both allow it.
 */
export interface RateLimiter {
  readonly kind: 'memory' | 'redis';
  check(identity: string, cost: number, policy: RateLimitPolicy): Promise<RateLimitResult>;
  /**
   * Atomically records a call at `at` (ms) under `key` and returns the earlier
   * calls' times still within `keepMs`, oldest first: a count-then-decide that
   * concurrent callers cannot both win. Refused calls are recorded too, so a
   * caller who keeps trying stays refused.
   */
  recordCall(key: string, at: number, keepMs: number): Promise<number[]>;
  close(): Promise<void>;
}
