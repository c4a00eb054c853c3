import fs from 'node:fs';
import path from 'node:path';
import {
  closeDataSource,
  createAccessTokenVerifier,
  createLogger,
  createSubgraphServer,
  initializeDataSource,
  loadKeySet,
  localKeyResolver,
  type Logger,
  type MeridianServer,
} from '@meridian/platform';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from './config';
import { createIdentityDataSource } from './data/data-source';
import type { SignInPolicy } from './domain/sign-in-throttle';
import { IDENTITY_API_PREFIX, identityRoutes } from './http/internal-routes';
import { createResolvers } from './resolvers';
import { AccountService } from './services/account-service';
import { DeviceSessionService } from './services/device-session-service';
import { SessionService } from './services/session-service';
import { SignInThrottle } from './services/sign-in-throttle';

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

  const accounts = new AccountService(dataSource);
  const signIns = new SignInThrottle(dataSource, { policy: deps.signInPolicy });
  const sessions = new SessionService(
    dataSource,
    { keys, audience, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS },
    signIns,
  );
  const deviceSessions = new DeviceSessionService(dataSource);

  const server = await createSubgraphServer(config, {
    name: 'identity',
    logger,
    typeDefs: identityTypeDefs,
    resolvers: createResolvers({ accounts, sessions, deviceSessions, signIns }),
    accessTokens: createAccessTokenVerifier({ ...audience, keys: localKeyResolver(keys.jwks()) }),
    readiness: [{ name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) }],
    // The JWKS is public: everyone verifies access tokens with it.
    publicRoutes: [JWKS_ROUTE],
    routes: async (app) => {
      app.get(JWKS_ROUTE, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(keys.jwks()));
      // The internal API, open only to IDENTITY_API_CALLERS.
      await app.register((internal) => identityRoutes(internal, { accounts, logger, callers: config.IDENTITY_API_CALLERS }), { prefix: IDENTITY_API_PREFIX });
    },
    close: () => closeDataSource(dataSource),
  });
  return { ...server, dataSource, accounts, sessions };
}
