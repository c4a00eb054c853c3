import {
  createAccessTokenVerifier,
  createHttpServer,
  createLogger,
  createMemoryRateLimiter,
  createServiceTokenIssuer,
  loadServiceSigningKeys,
  mountApollo,
  remoteKeyResolver,
  type AccessTokenVerifier,
  type Logger,
  type MeridianServer,
  type RateLimiter,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { createGatewayApollo, loadSupergraphSdl, subgraphUrlsFromConfig } from '@meridian/supergraph';
import type { FastifyInstance } from 'fastify';
import { FAIL_CLOSED_FIELDS, rateLimitPolicies, type BffConfig } from './bff-config';
import { bffContextFromRequest, type BffContext } from './bff-context';
import { useGuards, type BffPlugin } from './bff-plugin';
import { createBffErrorFormatter } from './format-bff-error';
import type { QueryLimits } from './query-limits-config';
import { useCostLimit } from './use-cost-limit';
import { useDepthLimit } from './use-depth-limit';
import { useQueryLimits } from './use-query-limits';
import { useRateLimits } from './use-rate-limits';
import { SENSITIVE_FIELD_LIMITS, useFieldRateLimits } from './use-field-rate-limits';
import { createResilientRedisRateLimiter } from './resilient-rate-limiter';

/** What tests and the embedded starter wire into a BFF; each defaults from config. */
export interface BffDeps {
  logger?: Logger;
  /** Composed supergraph SDL; default the checked-in `supergraph/supergraph.graphql`. */
  supergraphSdl?: string;
  /** Subgraph URLs by subgraph name; default IDENTITY_URL etc. from config. */
  subgraphUrls?: Record<string, string>;
  /** Signs the service tokens sent to subgraphs; default the service signing keys, as the BFF's name. */
  issueServiceToken?: ServiceTokenIssuer;
  /** The shared rate limiter; default Redis when REDIS_URL is set, else one in memory. Not closed by the BFF. */
  rateLimiter?: RateLimiter;
  /** Verifies user access tokens for rate limits; default identity's JWKS at IDENTITY_JWKS_URL. */
  verifyAccessToken?: AccessTokenVerifier;
}

/** Options for {@link createBffServer}. */
export interface BffServerOptions {
  /** Service name in logs and metrics, and the subject of its service tokens, e.g. `bff-web`. */
  name: string;
  config: BffConfig;
  /** Limits applied before execution (depth: web 12, mobile 10). */
  limits: QueryLimits;
  deps?: BffDeps;
  /** Further pipeline steps, after the depth limit. */
  plugins?: BffPlugin[];
  /** Adds client-specific routes and hooks (GraphiQL, later sessions) before /graphql is mounted. */
  routes?: (app: FastifyInstance, logger: Logger) => void | Promise<void>;
}

/**
 * The pipeline both BFFs share: Fastify with health and metrics, and Apollo
 * Server running the federation gateway in-process, so each request is parsed,
 * validated, depth-limited and planned once, with no hop to a gateway server.
 * Errors are masked; introspection and "Did you mean" hints are off in production.
 */
export async function createBffServer(options: BffServerOptions): Promise<MeridianServer> {
  const { config, deps = {} } = options;
  const logger = deps.logger ?? createLogger({ service: options.name, level: config.LOG_LEVEL });
  const development = config.NODE_ENV === 'development';
  const issueServiceToken =
    deps.issueServiceToken ??
    createServiceTokenIssuer({ service: options.name, keys: await loadServiceSigningKeys(config) });

  const { app, metrics } = createHttpServer({ name: options.name, logger });
  await options.routes?.(app, logger);

  const { limits } = options;
  const supergraphSdl = deps.supergraphSdl ?? loadSupergraphSdl();
  const ownLimiter = deps.rateLimiter
    ? undefined
    : config.REDIS_URL
      ? createResilientRedisRateLimiter({
          url: config.REDIS_URL,
          keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}${options.name}:`,
          commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
          logger,
        })
      : createMemoryRateLimiter();
  if (ownLimiter && 'firstAttempt' in ownLimiter) await ownLimiter.firstAttempt;
  const sharedLimiter = deps.rateLimiter ?? ownLimiter!;
  const fallbackLimiter = createMemoryRateLimiter();
  const plugins = [
    useDepthLimit({ maxDepth: limits.maxDepth }),
    useQueryLimits(limits),
    useCostLimit({ maxCost: limits.maxCost, supergraphSdl, defaultListSize: limits.defaultListSize }),
    useRateLimits({
      limiter: sharedLimiter,
      fallback: fallbackLimiter,
      policies: rateLimitPolicies(config),
      failClosedFields: FAIL_CLOSED_FIELDS,
      verifyAccessToken:
        deps.verifyAccessToken ??
        createAccessTokenVerifier({
          issuer: config.ACCESS_TOKEN_ISSUER,
          audience: config.ACCESS_TOKEN_AUDIENCE,
          keys: remoteKeyResolver(config.IDENTITY_JWKS_URL),
        }),
      logger,
    }),
    useFieldRateLimits({ limiter: sharedLimiter, limits: SENSITIVE_FIELD_LIMITS, logger }),
    ...(options.plugins ?? []),
  ];
  const formatError = createBffErrorFormatter({ exposeDetails: development });
  const apollo = createGatewayApollo<BffContext>({
    nodeEnv: config.NODE_ENV,
    logger,
    metrics,
    issueServiceToken,
    supergraphSdl,
    maxTokens: limits.maxTokens,
    subgraphUrls: deps.subgraphUrls ?? subgraphUrlsFromConfig(config),
    subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    formatError,
    validationRules: plugins.flatMap((plugin) => plugin.validationRules ?? []),
    plugins: [useGuards(plugins), ...plugins.flatMap((plugin) => plugin.apollo ?? [])],
  });
  await apollo.start();
  mountApollo(app, apollo, { context: async (request) => bffContextFromRequest(request) });

  return {
    name: options.name,
    app,
    async close() {
      await app.close();
      await apollo.stop();
      await ownLimiter?.close();
      await fallbackLimiter.close();
    },
  };
}
