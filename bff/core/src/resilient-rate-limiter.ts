import { createRedisRateLimiter, type Logger, type RateLimiter } from '@meridian/platform';

/** Options for {@link createResilientRedisRateLimiter}. */
export interface ResilientRateLimiterOptions {
  url: string;
  keyPrefix?: string;
  commandTimeoutMs: number;
  logger: Logger;
  /** Pause between connection attempts while Redis is unreachable; default 2 s. */
  retryMs?: number;
}

/**
 * A Redis limiter that lets the BFF start while Redis is unreachable: it keeps
 * connecting in the background, and until it succeeds every check fails at
 * once, so the caller's fallback (or fail-closed rule) applies instead of a wait.
 */
export function createResilientRedisRateLimiter(options: ResilientRateLimiterOptions): RateLimiter & { firstAttempt: Promise<void> } {
  let limiter: RateLimiter | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    try {
      const connected = await createRedisRateLimiter({
        url: options.url,
        keyPrefix: options.keyPrefix,
        commandTimeoutMs: options.commandTimeoutMs,
        connectTimeoutMs: Math.max(options.commandTimeoutMs, 1_000),
      });
      if (closed) await connected.close();
      else limiter = connected;
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'rate limiter cannot reach Redis; retrying');
      if (!closed) {
        timer = setTimeout(connect, options.retryMs ?? 2_000);
        timer.unref();
      }
    }
  };
  // Settles after the first attempt, connected or not, so a server can start with its limiter ready.
  const firstAttempt = connect();
  return {
    firstAttempt,
    kind: 'redis',
    async check(identity, cost, policy) {
      if (!limiter) throw new Error('Redis is not connected');
      return limiter.check(identity, cost, policy);
    },
    async recordCall(key, at, keepMs) {
      if (!limiter) throw new Error('Redis is not connected');
      return limiter.recordCall(key, at, keepMs);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await limiter?.close();
    },
  };
}
