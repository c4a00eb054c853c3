import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation, GraphQLRequestListener } from '@apollo/server';
import {
  setSpanAttributes,
  type AccessTokenVerifier,
  type Logger,
  type RateLimiter,
  type RateLimitMetrics,
  type RateLimitPolicy,
  type RateLimitResult,
} from '@meridian/platform';
import { callerOf, type BffContext, type CallerClass } from './bff-context';
import type { BffPlugin } from './bff-plugin';
import { failClosed, rateLimited } from './limit-error';
import { collectRootFields } from './operation-fields';

/** Options for {@link useRateLimits}. */
export interface RateLimitsOptions {
  /** The shared limiter (Redis in services mode, memory when embedded). */
  limiter: RateLimiter;
  /** A per-process limiter used for ordinary requests while the shared one fails. */
  fallback: RateLimiter;
  policies: Record<CallerClass, RateLimitPolicy>;
  /** Root fields that guard credentials or money: while the shared limiter fails, they fail closed. */
  failClosedFields: ReadonlySet<string>;
  /** Verifies a bearer token so limits follow the user, not the address. */
  verifyAccessToken?: AccessTokenVerifier;
  logger: Logger;
  /** Counts refusals (limit `requests` or `cost`) and whether the fallback answers (component `rate-limiter`). */
  metrics?: RateLimitMetrics;
}

/** The `component` of `redis_fallback_in_use` while the shared limiter fails and the per-process one answers. */
export const FALLBACK_COMPONENT = 'rate-limiter';

/** Whole seconds for Retry-After: at least 1; an hour for a wait that never ends. */
export function seconds(ms: number): number {
  return Number.isFinite(ms) ? Math.max(1, Math.ceil(ms / 1000)) : 3600;
}

/**
 * A request window and a cost budget per user (per address when anonymous),
 * checked in one atomic call once the operation's cost is known. Refusals are
 * RATE_LIMITED with `retryAfter`, HTTP 429 and `Retry-After`. Every response
 * carries `extensions.rateLimit` and `extensions.cost.throttleStatus`.
 */
export function useRateLimits(options: RateLimitsOptions): BffPlugin {
  const { metrics } = options;
  metrics?.fallbackInUse(FALLBACK_COMPONENT, false);
  async function guard(request: GraphQLRequestContextDidResolveOperation<BffContext>): Promise<void> {
    const { contextValue } = request;
    const caller = await callerOf(contextValue, options.verifyAccessToken);
    // Priced by the cost limit, which runs first; an operation it did not price counts as 1.
    const cost = contextValue.state.requestedCost ?? 1;
    const policy = options.policies[caller.class];
    let result: RateLimitResult;
    try {
      result = await options.limiter.check(caller.key, cost, policy);
      metrics?.fallbackInUse(FALLBACK_COMPONENT, false);
    } catch (err) {
      metrics?.fallbackInUse(FALLBACK_COMPONENT, true);
      setSpanAttributes({ 'meridian.rate_limit.fallback': true });
      const guarded = collectRootFields(request).map((f) => f.name).filter((name) => options.failClosedFields.has(name));
      options.logger.warn({ err: (err as Error).message, guarded }, 'shared rate limiter failed');
      if (guarded.length) throw failClosed();
      result = await options.fallback.check(caller.key, cost, policy);
    }
    contextValue.state.rateLimit = result;
    setSpanAttributes({
      'meridian.rate_limit.caller_class': caller.class,
      'meridian.rate_limit.allowed': result.allowed,
      'meridian.rate_limit.remaining': result.requests.remaining,
      ...(result.refusedBy ? { 'meridian.rate_limit.refused_by': result.refusedBy } : {}),
    });
    if (!result.allowed) {
      metrics?.refused(result.refusedBy ?? 'requests');
      throw rateLimited(
        result.refusedBy === 'cost'
          ? `Query cost ${cost} exceeds the ${result.cost.currentlyAvailable} points available; they restore at ${policy.costRestoreRate} per second.`
          : `Too many requests: ${policy.requestsPerWindow} per ${policy.windowMs / 1000} s.`,
        seconds(result.retryAfterMs),
      );
    }
  }

  // One listener for every request: it reads all it needs from the request it is given.
  const listener: GraphQLRequestListener<BffContext> = {
    async willSendResponse({ response, contextValue }) {
      const result = contextValue.state.rateLimit;
      if (!result || response.body.kind !== 'single') return;
      const body = response.body.singleResult;
      const cost = (body.extensions?.cost as Record<string, unknown> | undefined) ?? {};
      body.extensions = {
        ...body.extensions,
        cost: { ...cost, throttleStatus: result.cost },
        rateLimit: { limit: result.requests.limit, remaining: result.requests.remaining, resetAt: result.requests.resetAt.toISOString() },
      };
      response.http.headers.set('x-ratelimit-limit', String(result.requests.limit));
      response.http.headers.set('x-ratelimit-remaining', String(result.requests.remaining));
    },
  };
  const plugin: ApolloServerPlugin<BffContext> = {
    async requestDidStart() {
      return listener;
    },
  };
  return { name: 'rate-limits', apollo: [plugin], guard };
}
