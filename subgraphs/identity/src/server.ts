import fs from 'node:fs';
import path from 'node:path';
import {
  closeDataSource,
  createLogger,
  DEV_MAILBOX_ROUTE,
  devMailboxToServe,
  openKeyValueStore,
  openNotifier,
  serveDevMailbox,
  type BackgroundSender,
  type KeyValueStore,
  type Notifier,
  createSubgraphServer,
  initializeDataSource,
  loadDataProtection,
  type DataProtection,
  loadKeySet,
  openSessionRevocations,
  registerSigningKeyMetrics,
  type SessionRevocations,
  type Logger,
  type MeridianServer,
} from '@meridian/platform';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from './config';
import { createIdentityDataSource } from './data/data-source';
import type { AccountTokenPolicy } from './domain/account-token';
import type { MfaPolicy } from './domain/mfa';
import type { SignInPolicy } from './domain/sign-in-throttle';
import { API_KEY_API_PREFIX, apiKeyRoutes } from './http/api-key-routes';
import { IDENTITY_API_PREFIX, identityRoutes } from './http/internal-routes';
import { createResolvers } from './resolvers';
import { createAccountFlows } from './services/account-flows';
import { createMfa } from './services/mfa';
import { AccountService } from './services/account-service';
import { ApiKeyService } from './services/api-key-service';
import { createAuditSealer } from './services/audit-chain';
import { DeviceSessionService } from './services/device-session-service';
import { bindSessionRevocations, revocationKeepMs } from './services/session-revocation';
import { loadAccessTokenKeys } from './services/signing-keys';
import { SessionService } from './services/session-service';
import { SignInThrottle } from './services/sign-in-throttle';
import { createStaffServices } from './services/staff-service';

/** What the identity server is built from. */
export interface IdentityServerDeps {
  /** PostgreSQL URL (real or embedded). */
  databaseUrl: string;
  logger?: Logger;
  /** How failed sign-ins are slowed and locked; default {@link DEFAULT_SIGN_IN_POLICY}. */
  signInPolicy?: SignInPolicy;
  /** The list ended sessions go on; default Redis when REDIS_URL is set, else one in memory. Not closed by identity when given. */
  revocations?: SessionRevocations;
  /** Where emails (and SMS) go; default per NOTIFICATIONS (the dev mailbox outside production), as in KYC. */
  notifier?: Notifier;
  /** Lifetimes of verification and reset links and codes; default {@link DEFAULT_ACCOUNT_TOKEN_POLICY}. */
  accountTokenPolicy?: AccountTokenPolicy;
  /** Lifetimes and limits of second factors; default {@link DEFAULT_MFA_POLICY}. */
  mfaPolicy?: Partial<MfaPolicy>;
  /** Keys sealing TOTP secrets and keying code hashes; default loadDataProtection (DATA_PROTECTION_KEYS). */
  dataProtection?: DataProtection;
}

/** The identity server and the services it exposes to the embedded starter (for seeding). */
export interface IdentityServer extends MeridianServer {
  dataSource: DataSource;
  accounts: AccountService;
  sessions: SessionService;
  /** Where identity's emails and SMS go. */
  notifier: Notifier;
  /** Account emails leave after the answer through this; `settled()` waits for them. */
  mail: BackgroundSender;
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
  // Every session ended through this data source goes on the list, for as long as its tokens could live.
  const revocations = deps.revocations ?? (await openSessionRevocations(config, { logger }));
  const tokenLifetimeMs = revocationKeepMs(config.ACCESS_TOKEN_TTL_SECONDS);
  bindSessionRevocations(dataSource, { list: revocations, keepMs: tokenLifetimeMs, logger });
  // A new key signs only once published for IDENTITY_KEY_ACTIVATION_SECONDS; a retired one stays published while its tokens live.
  const tokenKeys = await loadAccessTokenKeys(dataSource, keys, { activationDelayMs: config.IDENTITY_KEY_ACTIVATION_SECONDS * 1000, tokenLifetimeMs });

  const accounts = new AccountService(dataSource);
  const signIns = new SignInThrottle(dataSource, { policy: deps.signInPolicy });
  const sessions = new SessionService(
    dataSource,
    { keys: tokenKeys.signing, audience, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS },
    signIns,
  );
  const deviceSessions = new DeviceSessionService(dataSource);
  // Tokens exchanged for API keys live no longer than session tokens, so the revocation list keeps a revoked key's id long enough.
  const apiKeys = new ApiKeyService(dataSource, {
    keys: tokenKeys.signing,
    audience,
    tokenTtlSeconds: Math.min(config.API_KEY_TOKEN_TTL_SECONDS, config.ACCESS_TOKEN_TTL_SECONDS),
  });
  let kv: KeyValueStore | undefined;
  const notifier =
    deps.notifier ??
    openNotifier(config, {
      kv: (kv = await openKeyValueStore(config)),
      logger,
    });
  const { mail, ...accountFlows } = createAccountFlows({ config, db: dataSource, notifier, throttle: signIns, logger, policy: deps.accountTokenPolicy });
  // A new staff member without a password is sent the password-reset email, which lets them choose one.
  const staff = createStaffServices(dataSource, { invite: (email, origin) => accountFlows.passwords.requestReset(email, origin) });
  const devMailbox = devMailboxToServe(config, notifier);
  const mfa = createMfa({ config, db: dataSource, notifier, sessions, protection: deps.dataProtection ?? loadDataProtection(config), policy: deps.mfaPolicy });

  const server = await createSubgraphServer(config, {
    name: 'identity',
    logger,
    typeDefs: identityTypeDefs,
    resolvers: createResolvers({ accounts, sessions, deviceSessions, signIns, apiKeys, ...accountFlows, ...mfa, ...staff }),
    accessTokenKeys: tokenKeys.resolver,
    revocations,
    database: dataSource,
    // The JWKS is public: everyone verifies access tokens with it. The mailbox exists only in development.
    publicRoutes: [{ url: JWKS_ROUTE, methods: ['GET', 'HEAD'] }, ...(devMailbox ? [{ url: DEV_MAILBOX_ROUTE, methods: ['GET'] }] : [])],
    routes: async (app, metrics) => {
      // How old each access-token key is: nothing expires them, so an alert asks for a rotation in time.
      registerSigningKeyMetrics(metrics.registry, 'identity', tokenKeys.ages);
      app.get(JWKS_ROUTE, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(tokenKeys.jwks()));
      // The internal API, open only to IDENTITY_API_CALLERS.
      await app.register((internal) => identityRoutes(internal, { accounts, logger, callers: config.IDENTITY_API_CALLERS }), { prefix: IDENTITY_API_PREFIX });
      // The API-key exchange, open only to IDENTITY_API_KEY_CALLERS (the web BFF).
      await app.register((internal) => apiKeyRoutes(internal, { apiKeys, logger, callers: config.IDENTITY_API_KEY_CALLERS }), { prefix: API_KEY_API_PREFIX });
      if (devMailbox) serveDevMailbox(app, devMailbox);
    },
    // Chains new audit entries about once a second; replicas take turns.
    workers: (metrics) => (config.IDENTITY_WORKERS ? [createAuditSealer(dataSource, { logger, metrics })] : []),
    async close() {
      await mail.settled();
      await kv?.close();
      if (!deps.revocations) await revocations.close();
      await closeDataSource(dataSource);
    },
  });
  return { ...server, dataSource, accounts, sessions, notifier, mail };
}
