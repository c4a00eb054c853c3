import {
  bearerToken,
  createAccessTokenVerifier,
  createErrorFormatter,
  createFileObjectStore,
  loadDataProtection,
  type ObjectStore,
  createHttpServer,
  createLogger,
  createMetricsServer,
  createMemoryRateLimiter,
  createServiceTokenIssuer,
  FREE_TEXT_OPERATION,
  loadServiceSigningKeys,
  mountApollo,
  rateLimitMetrics,
  registerSigningKeyMetrics,
  signingKeyAges,
  openSessionRevocations,
  type EventBus,
  registerSessionRevocationMetrics,
  remoteKeyResolver,
  type AccessTokenVerifier,
  type SessionRevocations,
  type Logger,
  type MeridianServer,
  type RateLimiter,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import type { ApolloServer } from '@apollo/server';
import { createGatewayApollo, loadSupergraphSdl, subgraphUrlsFromConfig, useIdempotencyKey } from '@meridian/supergraph';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FAIL_CLOSED_FIELDS, rateLimitPolicies, type BffConfig } from './bff-config';
import { bffContextFromRequest, type BffContext } from './bff-context';
import { executeOperation, type BffHandle } from './bff-handle';
import { useGuards, type BffPlugin } from './bff-plugin';
import { registerHttpEdge } from './http-edge';
import { openResponseCache } from './open-response-cache';
import type { QueryLimits } from './query-limits-config';
import { useCostLimit } from './use-cost-limit';
import { useDepthLimit } from './use-depth-limit';
import { useEndedSessions } from './use-ended-sessions';
import { useFetchMerging } from './use-fetch-merging';
import type { ResponseCache } from './response-cache';
import { useResponseCache } from './use-response-cache';
import { useQueryLimits } from './use-query-limits';
import { useRateLimits } from './use-rate-limits';
import { useRequiredScopes } from './use-required-scopes';
import { SENSITIVE_FIELD_LIMITS, useFieldRateLimits } from './use-field-rate-limits';
import { createResilientRedisRateLimiter } from './resilient-redis';
import { useTrustedDocuments, type TrustedDocumentsOptions } from './use-trusted-documents';
import { registerDocumentDownloads } from './use-documents';
import { registerTransactionExports } from './use-exports';
import { createUploadSweeper, registerUploads } from './use-uploads';
import path from 'node:path';

/** The `operation` label of a manifest document without an operation name. */
const ANONYMOUS_OPERATION = '(anonymous)';

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
  /** Verifies user access tokens for rate limits and the schema's scopes; default identity's JWKS at IDENTITY_JWKS_URL, checked against `revocations`. */
  verifyAccessToken?: AccessTokenVerifier;
  /** The list of ended sessions whose tokens are refused; default Redis when REDIS_URL is set, else one in memory. Not closed by the BFF when given. */
  revocations?: SessionRevocations;
  /** Where uploads are kept; default the encrypted filesystem store at OBJECT_STORE_DIR. */
  objectStore?: ObjectStore;
  /**
   * The per-user response cache; default one on Redis at REDIS_URL, else in memory. Give both
   * BFFs of one process the same one, so a write through either ends the other's entries. Not closed by the BFF.
   */
  responseCache?: ResponseCache;
  /**
   * Where domain events arrive, to end the cached responses of the customers they name; default
   * Redis Streams at REDIS_URL. Without either, only a user's own mutations end their entries. Not closed by the BFF.
   */
  eventBus?: EventBus;
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
  /** The client's trusted documents (its manifest, and whether only they run) on /graphql. */
  trustedDocuments?: TrustedDocumentsOptions;
  /** Adds client-specific routes and hooks (GraphiQL, sessions) before /graphql is mounted. */
  routes?: (app: FastifyInstance, logger: Logger, bff: BffHandle) => void | Promise<void>;
  /** Builds the request's context; default {@link bffContextFromRequest} (the client's own Authorization). */
  context?: (request: FastifyRequest) => Promise<BffContext>;
}

/**
 * The pipeline both BFFs share: Fastify with health and metrics, and Apollo
 * Server running the federation gateway in-process, so each request is parsed,
 * validated, depth-limited and planned once, with no hop to a gateway server.
 * Errors are masked; introspection and "Did you mean" hints are off in production.
 * The client's `Idempotency-Key` header is checked at the route and sent on to the subgraphs.
 */
export async function createBffServer(options: BffServerOptions): Promise<MeridianServer> {
  const { config, deps = {} } = options;
  const logger = deps.logger ?? createLogger({ service: options.name, level: config.LOG_LEVEL });
  const development = config.NODE_ENV === 'development';
  const signingKeys = deps.issueServiceToken ? undefined : await loadServiceSigningKeys(config, options.name);
  const issueServiceToken = deps.issueServiceToken ?? createServiceTokenIssuer({ service: options.name, keys: signingKeys! });

  // Public: no /metrics here; Prometheus reads them from the metrics server on an internal port.
  const { app, metrics } = createHttpServer({ name: options.name, logger, trustedProxies: config.TRUSTED_PROXIES, metricsRoute: false });
  const metricsApp = createMetricsServer(metrics, logger);
  // `bff-web` serves the `web` client, `bff-mobile` the `mobile` one: the `client` label of its metrics.
  const client = options.name.replace(/^bff-/, '');
  const limitMetrics = rateLimitMetrics(metrics.registry, client);
  if (signingKeys) registerSigningKeyMetrics(metrics.registry, options.name, signingKeyAges(signingKeys));
  // Security headers and CORS on every route; the GraphiQL page sets its own content policy.
  await registerHttpEdge(app, config);
  let started: ApolloServer<BffContext> | undefined;
  const handle: BffHandle = {
    execute(operation, context) {
      if (!started) return Promise.reject(new Error('the BFF has not started yet'));
      return executeOperation(started, operation, context);
    },
  };
  await options.routes?.(app, logger, handle);
  // A malformed Idempotency-Key is refused before anything else of /graphql runs; a valid one reaches the subgraphs.
  useIdempotencyKey(app);
  if (options.trustedDocuments) {
    useTrustedDocuments(app, options.trustedDocuments);
    logger.info({ mode: options.trustedDocuments.mode, documents: options.trustedDocuments.store.size }, 'trusted documents');
  }

  const { limits } = options;
  const context = options.context ?? (async (request: FastifyRequest) => bffContextFromRequest(request));
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
  // The BFF verifies bearer tokens to tell users apart for limits and to check the schema's scopes; the subgraphs check again.
  const ownRevocations = deps.revocations ? undefined : await openSessionRevocations(config, { logger });
  const revocations = deps.revocations ?? ownRevocations!;
  registerSessionRevocationMetrics(metrics.registry, revocations);
  const verifyAccessToken =
    deps.verifyAccessToken ??
    createAccessTokenVerifier({ issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE, keys: remoteKeyResolver(config.IDENTITY_JWKS_URL), revocations });
  const objectStore =
    deps.objectStore ??
    createFileObjectStore({ dir: config.OBJECT_STORE_DIR ?? path.join(config.DATA_DIR, 'objects'), envelope: loadDataProtection(config).envelope });
  const uploadSweeper = createUploadSweeper({ store: objectStore, logger, metrics });
  const { responseCache, closeResponseCache } = await openResponseCache(config, deps, options.name, logger, metrics);
  // Whose an Authorization is, for the limits: the same user the GraphQL request would run as.
  const userOfAuthorization = async (authorization: string) => {
    const token = bearerToken(authorization);
    return token ? verifyAccessToken(token).then((claims) => claims.userId, () => undefined) : undefined;
  };
  await registerUploads(app, {
    store: objectStore,
    limiter: sharedLimiter,
    metrics: limitMetrics,
    logger,
    // The bearer token, or on the web the session's.
    userOf: async (request) => userOfAuthorization((await context(request)).authorization ?? ''),
  });
  // Files streamed from a subgraph, as the same user the GraphQL request would run as.
  const downloadCaller = {
    issueServiceToken,
    logger,
    authorizationOf: async (request: FastifyRequest) => (await context(request)).authorization,
    limits: { limiter: sharedLimiter, userOf: userOfAuthorization, metrics: limitMetrics },
  };
  registerDocumentDownloads(app, { ...downloadCaller, kycUrl: config.KYC_URL });
  registerTransactionExports(app, { ...downloadCaller, insightsUrl: config.INSIGHTS_URL });
  // In this order: each step reads what the steps before it wrote into the request's state.
  const plugins = [
    useDepthLimit({ maxDepth: limits.maxDepth }),
    useQueryLimits(limits),
    useCostLimit({ maxCost: limits.maxCost, supergraphSdl, defaultListSize: limits.defaultListSize }),
    useRateLimits({
      limiter: sharedLimiter,
      fallback: fallbackLimiter,
      policies: rateLimitPolicies(config),
      failClosedFields: FAIL_CLOSED_FIELDS,
      verifyAccessToken,
      logger,
      metrics: limitMetrics,
    }),
    // A token of an ended session is refused whatever the operation (401, SESSION_ENDED), counted by the limits above.
    useEndedSessions({ verifyAccessToken }),
    // @authenticated/@requiresScopes on every field that will execute, before any subgraph is called (refusals still count above).
    useRequiredScopes({ supergraphSdl, verifyAccessToken }),
    useFieldRateLimits({ limiter: sharedLimiter, limits: SENSITIVE_FIELD_LIMITS, logger, verifyAccessToken, metrics: limitMetrics }),
    ...(options.plugins ?? []),
    // Last: a query that every step let through may share identical subgraph fetches in flight for its caller,
    // or be answered from the caller's cached response.
    useFetchMerging({ verifyAccessToken }),
    ...(responseCache ? [useResponseCache({ cache: responseCache, verifyAccessToken, logger })] : []),
  ];
  const formatError = createErrorFormatter({ exposeDetails: development });
  const apollo = createGatewayApollo<BffContext>({
    nodeEnv: config.NODE_ENV,
    logger,
    metrics,
    issueServiceToken,
    supergraphSdl,
    maxTokens: limits.maxTokens,
    subgraphUrls: deps.subgraphUrls ?? subgraphUrlsFromConfig(config),
    subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    subgraphConnections: config.SUBGRAPH_CONNECTIONS,
    mergeInFlight: config.SUBGRAPH_FETCH_MERGING,
    formatError,
    validationRules: plugins.flatMap((plugin) => plugin.validationRules ?? []),
    plugins: [useGuards(plugins), ...plugins.flatMap((plugin) => plugin.apollo ?? [])],
    operationLabels: {
      // A manifest document by its name; the BFF's own operations (a web sign-in) by theirs, which are in its code.
      operationOf: (request) => {
        if (request.contextValue.internal) return request.operationName ?? FREE_TEXT_OPERATION;
        const document = request.source === undefined ? undefined : options.trustedDocuments?.store.byText(request.source);
        return document ? (document.operationName ?? ANONYMOUS_OPERATION) : FREE_TEXT_OPERATION;
      },
      clientOf: () => client,
    },
  });
  await apollo.start();
  started = apollo;
  mountApollo(app, apollo, { context: async (request) => context(request) });
  uploadSweeper.start();

  return {
    name: options.name,
    app,
    metricsApp,
    registry: metrics.registry,
    async close() {
      await uploadSweeper.stop();
      await app.close();
      await metricsApp.close();
      await apollo.stop();
      await ownLimiter?.close();
      await ownRevocations?.close();
      await fallbackLimiter.close();
      await closeResponseCache();
    },
  };
}
