import { connectRedis, type RedisConnectionOptions } from '../kv/redis-connection';
import { MAX_CALLS } from './memory-rate-limiter';
import type { RateLimiter, RateLimitResult } from './rate-limiter';

// applyRateLimit() from rate-limit-math.ts in one atomic call, on Redis' clock.
// Returns {allowed, refusedBy (0 none, 1 requests, 2 cost), retryAfterMs (-1: never), remaining, resetAt, tokens}.
const checkScript = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local per_ms = tonumber(ARGV[4]) / 1000
local cost = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'ws', 'count', 'tokens', 'at')
local ws = tonumber(s[1])
local count = tonumber(s[2]) or 0
if ws == nil or now - ws >= window then ws = now; count = 0 end
local tokens = tonumber(s[3]) or capacity
local at = tonumber(s[4]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local reset_at = ws + window
local refused = 0
local retry = 0
if count >= limit then
  refused = 1
  retry = reset_at - now
elseif tokens < cost then
  refused = 2
  if cost > capacity then retry = -1 else retry = math.ceil((cost - tokens) / per_ms) end
end
if refused == 0 then count = count + 1; tokens = tokens - cost end
redis.call('HSET', KEYS[1], 'ws', ws, 'count', count, 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.max(reset_at - now, math.ceil((capacity - tokens) / per_ms)) + 1000)
return {refused == 0 and 1 or 0, refused, retry, math.max(0, limit - count), reset_at, math.floor(tokens)}
`;

// recordCall(): append, drop calls older than the window and beyond MAX_CALLS, return the earlier ones.
const recordCallScript = `
local at = tonumber(ARGV[1])
local keep = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - keep)
local earlier = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
redis.call('ZADD', KEYS[1], at, ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('PEXPIRE', KEYS[1], keep)
local times = {}
for i = 2, #earlier, 2 do times[#times + 1] = earlier[i] end
return times
`;

const refusals = [undefined, 'requests', 'cost'] as const;

/**
 * The Redis limiter: one round trip per request, atomic under any concurrency,
 * bounded by the command timeout so a Redis outage is an error, not a hang.
 */
export async function createRedisRateLimiter(options: RedisConnectionOptions): Promise<RateLimiter> {
  const prefix = options.keyPrefix ?? '';
  const { client, run } = await connectRedis(options);

  return {
    kind: 'redis',
    async check(identity, cost, policy): Promise<RateLimitResult> {
      const [allowed, refused, retry, remaining, resetAt, tokens] = (await run(
        client.eval(checkScript, {
          keys: [`${prefix}rl:${identity}`],
          arguments: [policy.requestsPerWindow, policy.windowMs, policy.costCapacity, policy.costRestoreRate, cost].map(String),
        }),
      )) as number[];
      return {
        allowed: Number(allowed) === 1,
        refusedBy: refusals[Number(refused)],
        retryAfterMs: Number(retry) < 0 ? Number.POSITIVE_INFINITY : Number(retry),
        requests: { limit: policy.requestsPerWindow, remaining: Number(remaining), resetAt: new Date(Number(resetAt)) },
        cost: { maximumAvailable: policy.costCapacity, currentlyAvailable: Number(tokens), restoreRate: policy.costRestoreRate },
      };
    },
    async recordCall(key, at, keepMs) {
      // A unique member per call: two calls in the same millisecond both count.
      const member = `${at}:${Math.random().toString(36).slice(2)}`;
      const times = (await run(
        client.eval(recordCallScript, { keys: [`${prefix}calls:${key}`], arguments: [String(at), String(keepMs), member, String(MAX_CALLS)] }),
      )) as string[];
      return times.map(Number);
    },
    async close() {
      if (client.isOpen) client.destroy();
    },
  };
}
