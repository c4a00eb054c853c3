import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { FastifyInstance } from 'fastify';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import {
  createAccessTokenVerifier,
  createServiceTokenVerifier,
  loadServiceTrustedKeys,
  remoteKeyResolver,
  registerSessionRevocationMetrics,
  registerSigningKeyMetrics,
  signingKeyAges,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type KeySet,
  type SessionRevocations,
} from '../auth';
import type { SubgraphBaseConfig } from '../config';
import type { Queryable } from '../db/queryable';
import { createErrorFormatter, ErrorCode, isErrorCode } from '../errors';
import type { Logger } from '../logger';
import type { MeridianServer } from '../runtime';
import { createHttpServer } from '../server/create-http-server';
import type { ServerMetrics } from '../server/metrics';
import type { PublicRoute } from '../server/use-service-access';
import type { PeriodicWorker } from '../workers';
import { mountApollo } from './mount-apollo';
import { useFailClosedMutations } from './use-fail-closed-mutations';
import { useCacheableCustomerReads } from './use-cacheable-customer-reads';
import { enforceScopeDirectives } from './scope-enforcement';
import { buildSubgraphContext, type SubgraphContext } from './subgraph-context';

/** What a subgraph is built from; {@link createSubgraphServer} does the rest the same way for every one. */
export interface SubgraphServerOptions {
  /** The subgraph's name: its service-token audience, and its name in logs and metrics. */
  name: string;
  logger: Logger;
  /** The subgraph's SDL (its `schema.graphql`) and resolvers. */
  typeDefs: DocumentNode;
  /** The subgraph's resolvers, typed by its generated `Resolvers` where they are written. */
  resolvers: object;
  /**
   * Where the keys of users' access tokens come from; default identity's JWKS at IDENTITY_JWKS_URL (identity passes
   * its own keys, tests a local key set). The server verifies tokens with them, refusing those of ended sessions.
   */
  accessTokenKeys?: AccessTokenVerifierOptions['keys'];
  /** The list of ended sessions the access-token check reads: its age is on `/metrics`, and it guards mutations (below). */
  revocations: SessionRevocations;
  /**
   * Refuse every mutation with SERVICE_UNAVAILABLE while `revocations` is not current (banking and payments,
   * whose mutations move money: a signed-out token must never do that); default false.
   */
  failClosedMutations?: boolean;
  /** The subgraph's PostgreSQL, which `/health/ready` checks with `SELECT 1`. */
  database: Queryable;
  /**
   * Routes besides `/graphql`, registered before it; each needs a service token unless on `publicRoutes`.
   * They get the server's metrics and its access-token verifier (for routes that act for a user).
   */
  routes?: (app: FastifyInstance, metrics: ServerMetrics, accessTokens: AccessTokenVerifier) => void | Promise<void>;
  /** Routes of `routes` anyone may call, by URL and method (a JWKS to GET and HEAD), besides health and metrics. */
  publicRoutes?: PublicRoute[];
  /** The subgraph's own service-token signing keys, when it calls other services: their age is on `/metrics`. */
  signingKeys?: KeySet;
  /** Background work, made with the server's metrics, started with it and stopped before `close` releases anything. */
  workers?: (metrics: ServerMetrics) => Pick<PeriodicWorker<unknown>, 'start' | 'stop'>[];
  /** Releases what the subgraph owns (its database, its event bus), after the server and its workers have stopped. */
  close?: () => Promise<void>;
}

/** A formatter that counts every error it formats in `graphql_errors_total{code}`, by the code the caller is shown. */
function countErrors(metrics: ServerMetrics, format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const shown = format(formatted, error);
    const code = shown.extensions?.code;
    metrics.graphqlErrors.inc({ code: isErrorCode(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR });
    return shown;
  };
}

/** A subgraph server: the Fastify app, its metrics, and how to stop it. */
export interface SubgraphServer extends MeridianServer {
  metrics: ServerMetrics;
}

/**
 * The one way a subgraph is served: the platform's HTTP server with every
 * route behind a service token for `name` (`/graphql` only for
 * GRAPH_CALLERS), `/health/ready` checking its database, Apollo Server with
 * the federated schema, masked errors, no landing page or inline traces,
 * introspection outside production, users' access tokens verified against
 * identity's keys and the revocation list, the request context from the
 * verified tokens, and background workers. Every
 * answer carries the cache policy of the schema's `@cacheControl` hints as
 * `Cache-Control` (`max-age=N, private`, or `no-store`), which the gateway
 * combines across subgraphs; only customers' queries may be cacheable.
 */
export async function createSubgraphServer(config: SubgraphBaseConfig, options: SubgraphServerOptions): Promise<SubgraphServer> {
  const { name, logger, revocations } = options;
  const verifyServiceToken = createServiceTokenVerifier({ audience: name, trustedKeys: await loadServiceTrustedKeys(config) });
  const { app, metrics } = createHttpServer({
    name,
    logger,
    readiness: [{ name: 'postgres', check: async () => void (await options.database.query('SELECT 1')) }],
    serviceAccess: { verify: verifyServiceToken, publicRoutes: options.publicRoutes },
  });
  const accessTokens = createAccessTokenVerifier({
    issuer: config.ACCESS_TOKEN_ISSUER,
    audience: config.ACCESS_TOKEN_AUDIENCE,
    keys: options.accessTokenKeys ?? remoteKeyResolver(config.IDENTITY_JWKS_URL),
    revocations,
  });
  await options.routes?.(app, metrics, accessTokens);
  registerSessionRevocationMetrics(metrics.registry, revocations);
  if (options.signingKeys) registerSigningKeyMetrics(metrics.registry, name, signingKeyAges(options.signingKeys));

  // Generated resolver types and Apollo's resolver map differ only in how they spell optional fields.
  const schema = buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as never });
  // The schema's own @authenticated/@requiresScopes, enforced here again whoever called (the BFF checked them on the plan).
  enforceScopeDirectives(schema, options.typeDefs);
  const apollo = new ApolloServer<SubgraphContext>({
    // Shutdown is closeOnSignals' job: Apollo's own handler re-raises the signal before our closers run.
    stopOnTerminationSignals: false,
    schema,
    formatError: countErrors(
      metrics,
      createErrorFormatter({
        exposeDetails: config.NODE_ENV === 'development',
        onMasked: (err) => logger.error({ err }, `unexpected error in ${name}`),
      }),
    ),
    introspection: config.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    // Inline traces (ftv1) would hand resolver timings to any caller that asks; Meridian uses OpenTelemetry instead.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // Apollo's default, written out so it is never swapped for the disabled one: the gateway reads the header.
      ApolloServerPluginCacheControl({ calculateHttpHeaders: true }),
      useCacheableCustomerReads<SubgraphContext>(),
      ...(options.failClosedMutations ? [useFailClosedMutations<SubgraphContext>({ revocations, logger, registry: metrics.registry })] : []),
    ],
  });
  await apollo.start();
  mountApollo(app, apollo, {
    allowGet: false,
    serviceCallers: config.GRAPH_CALLERS,
    context: async (request) => buildSubgraphContext(request, request.serviceCaller ?? 'unknown', accessTokens),
  });

  const workers = options.workers?.(metrics) ?? [];
  for (const worker of workers) worker.start();
  return {
    name,
    app,
    metrics,
    async close() {
      await app.close();
      await apollo.stop();
      for (const worker of workers) await worker.stop();
      await options.close?.();
    },
  };
}
