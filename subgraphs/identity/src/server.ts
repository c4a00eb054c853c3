import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  buildSubgraphContext,
  closeDataSource,
  createAccessTokenVerifier,
  createErrorFormatter,
  createHttpServer,
  createLogger,
  createServiceTokenVerifier,
  initializeDataSource,
  loadKeySet,
  loadServiceTrustedKeys,
  localKeyResolver,
  mountApollo,
  type Logger,
  type MeridianServer,
  type SubgraphContext,
} from '@meridian/platform';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from './config';
import { createIdentityDataSource } from './data/data-source';
import { createResolvers } from './resolvers';
import { AccountService } from './services/account-service';
import { DeviceSessionService } from './services/device-session-service';
import { SessionService } from './services/session-service';
import { SignInThrottle } from './services/sign-in-throttle';
import type { SignInPolicy } from './domain/sign-in-throttle';

/** What the identity server is built from. */
export interface IdentityServerDeps {
  /** PostgreSQL URL (real or embedded). */
  databaseUrl: string;
  logger?: Logger;
  /** How failed sign-ins are slowed and locked; default {@link DEFAULT_SIGN_IN_POLICY}. */
  signInPolicy?: SignInPolicy;
}

/** The identity server and the services it exposes to the embedded starter (for seeding). */
export interface IdentityServer extends MeridianServer {
  dataSource: DataSource;
  accounts: AccountService;
  sessions: SessionService;
}

/** Where identity publishes the public keys of user access tokens. */
export const JWKS_ROUTE = '/.well-known/jwks.json';

/** The SDL, read once; it is the source of truth for codegen and composition too. */
export const identityTypeDefs = parse(fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/**
 * Builds identity: users, sign-in sessions and the JWKS. Every /graphql call
 * must carry a service token; users are known only from verified access tokens.
 */
export async function createIdentityServer(config: IdentityConfig, deps: IdentityServerDeps): Promise<IdentityServer> {
  const logger = deps.logger ?? createLogger({ service: 'identity', level: config.LOG_LEVEL });
  const dataSource = createIdentityDataSource(deps.databaseUrl);
  await initializeDataSource(dataSource, config.MIGRATE_ON_START ?? !config.DATABASE_URL);

  const keys = await loadKeySet({
    configured: config.IDENTITY_SIGNING_KEYS,
    file: path.join(config.DATA_DIR, 'keys', 'identity-signing.json'),
    allowGenerate: config.NODE_ENV !== 'production',
    settingName: 'IDENTITY_SIGNING_KEYS',
  });
  const audience = { issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE };
  const verifyAccessToken = createAccessTokenVerifier({ ...audience, keys: localKeyResolver(keys.jwks()) });
  const verifyServiceToken = createServiceTokenVerifier({
    audience: 'identity',
    trustedKeys: await loadServiceTrustedKeys(config),
  });

  const accounts = new AccountService(dataSource);
  const signIns = new SignInThrottle(dataSource, { policy: deps.signInPolicy });
  const sessions = new SessionService(
    dataSource,
    { keys, audience, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS },
    signIns,
  );
  const deviceSessions = new DeviceSessionService(dataSource);

  const { app } = createHttpServer({
    name: 'identity',
    logger,
    readiness: [{ name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) }],
    // Every route but health, metrics and the JWKS needs a service token.
    serviceAccess: { verify: verifyServiceToken, publicRoutes: [JWKS_ROUTE] },
  });
  app.get(JWKS_ROUTE, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(keys.jwks()));

  const apollo = new ApolloServer<SubgraphContext>({
    // Shutdown is closeOnSignals' job: Apollo's own handler re-raises the signal before our closers run.
    stopOnTerminationSignals: false,
    schema: buildSubgraphSchema({ typeDefs: identityTypeDefs, resolvers: createResolvers({ accounts, sessions, deviceSessions, signIns }) as never }),
    formatError: createErrorFormatter({
      exposeDetails: config.NODE_ENV === 'development',
      onMasked: (err) => logger.error({ err }, 'unexpected error in identity'),
    }),
    introspection: config.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    // Inline traces (ftv1) would hand resolver timings to any caller that asks; Meridian uses OpenTelemetry instead.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  mountApollo(app, apollo, {
    allowGet: false,
    serviceCallers: config.GRAPH_CALLERS,
    context: async (request) => buildSubgraphContext(request, request.serviceCaller ?? 'unknown', verifyAccessToken),
  });

  return {
    name: 'identity',
    app,
    dataSource,
    accounts,
    sessions,
    async close() {
      await app.close();
      await apollo.stop();
      await closeDataSource(dataSource);
    },
  };
}
