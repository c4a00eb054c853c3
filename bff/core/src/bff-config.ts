import { isIP } from 'node:net';
import { baseConfigSchema, ConfigError, flag, processCount, type RateLimitPolicy } from '@meridian/platform';
import type { CallerClass } from './bff-context';
import { subgraphConfigSchema } from '@meridian/supergraph';
import { z } from 'zod';

/**
 * A comma-separated setting (empty by default), each entry checked with `isValid`;
 * a bad entry stops start-up naming it and what was `expected`.
 */
const commaList = (isValid: (entry: string) => boolean, expected: string) =>
  z
    .string()
    .default('')
    .transform((value, ctx) => {
      const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
      for (const entry of entries) {
        if (!isValid(entry)) ctx.addIssue({ code: 'custom', message: `"${entry}" is not ${expected}` });
      }
      return entries;
    });

function isBareOrigin(entry: string): boolean {
  try {
    const parsed = new URL(entry);
    return parsed.origin === entry && /^https?:$/.test(parsed.protocol);
  } catch {
    return false;
  }
}

/** A comma-separated list of origins (`https://app.example.com`), each checked to be a bare origin. */
export const originList = () => commaList(isBareOrigin, 'an origin like https://app.example.com (scheme, host, optional port, nothing else)');

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_KEYWORDS.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * A comma-separated list of the proxies in front of the BFF whose
 * `X-Forwarded-For`/`-Proto`/`-Host` are believed: addresses, CIDR ranges
 * (`10.0.0.0/8`) or `loopback`, `linklocal`, `uniquelocal`. Empty (the default)
 * believes no one and takes the caller's address from the socket.
 */
export const proxyList = () => commaList(isProxyAddress, 'an address, a CIDR range like 10.0.0.0/8, or loopback, linklocal, uniquelocal');

const count = (fallback: number) => z.coerce.number().int().min(1).max(10_000_000).default(fallback);

/** Settings both BFFs share: the base ones, where the subgraphs are, and rate limits. */
export const bffConfigSchema = baseConfigSchema.extend({
  ...subgraphConfigSchema.shape,
  /** Length of the request window; default 60 s. */
  RATE_LIMIT_WINDOW_MS: count(60_000),
  /** Requests per window: per address when anonymous, per user otherwise. */
  RATE_LIMIT_ANONYMOUS: count(120),
  RATE_LIMIT_CUSTOMER: count(600),
  RATE_LIMIT_STAFF: count(2_400),
  /** Requests per window for each API key (web BFF), a bucket of its own apart from its owner's; default 600. */
  RATE_LIMIT_API_KEY: count(600),
  /** Cost budgets (points) and how many points come back per second. */
  COST_BUDGET_ANONYMOUS: count(5_000),
  COST_RESTORE_ANONYMOUS: count(50),
  COST_BUDGET_CUSTOMER: count(20_000),
  COST_RESTORE_CUSTOMER: count(500),
  COST_BUDGET_STAFF: count(100_000),
  COST_RESTORE_STAFF: count(2_000),
  COST_BUDGET_API_KEY: count(20_000),
  COST_RESTORE_API_KEY: count(500),
  /** Browser origins allowed to call the BFF cross-origin (CORS, with credentials); none by default. */
  CORS_ALLOWED_ORIGINS: originList(),
  /**
   * Proxies (the ingress, a load balancer) whose X-Forwarded-* headers are believed, so
   * per-address limits see the client's address rather than the proxy's; none by default.
   */
  TRUSTED_PROXIES: proxyList(),
  /** Prefix of rate-limit keys in Redis, to share one Redis between environments. */
  RATE_LIMIT_KEY_PREFIX: z.string().default('meridian:'),
  /**
   * Processes serving the BFF's port (node:cluster): a number, or `auto` for one per available core;
   * default 1. More than one needs REDIS_URL ({@link bffWorkers}).
   */
  BFF_WORKERS: processCount(1),
  /**
   * Whether customers' queries are answered from the per-user response cache when the subgraphs'
   * cache hints allow it (Redis at REDIS_URL, else memory); default true.
   */
  RESPONSE_CACHE: flag(true),
  /** Longest a cached response lives, whatever the hints allow, in seconds; default 60. */
  RESPONSE_CACHE_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
});

export type BffConfig = z.infer<typeof bffConfigSchema>;

/**
 * How many worker processes the BFF runs (BFF_WORKERS). More than one without REDIS_URL is refused
 * rather than quietly run as one: in memory, rate limits, web sessions, API-key lockouts, cached
 * responses and the list of ended sessions would each be per process, so a user signed in on one
 * worker would be unknown to the next, a signed-out token would still work on the others, and every
 * limit would be multiplied by the number of workers. An operator who sized pods for N workers
 * learns it at start-up, not from the capacity missing later.
 */
export function bffWorkers(config: BffConfig): number {
  if (config.BFF_WORKERS > 1 && !config.REDIS_URL) {
    throw new ConfigError([
      `BFF_WORKERS: ${config.BFF_WORKERS} workers need REDIS_URL; without it sessions, rate limits and ended sessions live in each process's memory and the workers would disagree. Set REDIS_URL, or BFF_WORKERS=1.`,
    ]);
  }
  return config.BFF_WORKERS;
}

/** The rate-limit policies from configuration, one per kind of caller. */
export function rateLimitPolicies(config: BffConfig): Record<CallerClass, RateLimitPolicy> {
  const policy = (requests: number, budget: number, restore: number): RateLimitPolicy => ({
    requestsPerWindow: requests,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    costCapacity: budget,
    costRestoreRate: restore,
  });
  return {
    anonymous: policy(config.RATE_LIMIT_ANONYMOUS, config.COST_BUDGET_ANONYMOUS, config.COST_RESTORE_ANONYMOUS),
    customer: policy(config.RATE_LIMIT_CUSTOMER, config.COST_BUDGET_CUSTOMER, config.COST_RESTORE_CUSTOMER),
    staff: policy(config.RATE_LIMIT_STAFF, config.COST_BUDGET_STAFF, config.COST_RESTORE_STAFF),
    apiKey: policy(config.RATE_LIMIT_API_KEY, config.COST_BUDGET_API_KEY, config.COST_RESTORE_API_KEY),
  };
}

/** Root fields that guard credentials or money: with the shared limiter down they fail closed. */
export const FAIL_CLOSED_FIELDS: ReadonlySet<string> = new Set([
  'login',
  'register',
  'verifyEmail',
  'resendEmailVerification',
  'changeEmail',
  'changePassword',
  'requestPasswordReset',
  'resetPassword',
  'resetPasswordWithCode',
  'completeSignIn',
  'sendSignInCode',
  'stepUp',
  'requestStepUpCode',
  'enrolTotp',
  'confirmTotp',
  'regenerateRecoveryCodes',
  'disableTotp',
  'createApiKey',
  'refreshSession',
  'logout',
  'unlockSignIn',
  'openAccount',
  'closeAccount',
  'transferBetweenOwnAccounts',
]);
