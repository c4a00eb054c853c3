import {
  createBffServer,
  createResilientRedisKeyValueStore,
  createTrustedDocumentStore,
  DOCUMENT_DOWNLOAD_ROUTE,
  queryLimitsFrom,
  TRANSACTION_EXPORT_ROUTE,
  trustedDocumentsModeFor,
  type BffDeps,
  type TrustedDocumentStore,
} from '@meridian/bff-core';
import {
  createLogger,
  createMemoryKeyValueStore,
  createServiceTokenIssuer,
  loadServiceSigningKeys,
  openSessionRevocations,
  type KeyValueStore,
  type MeridianServer,
} from '@meridian/platform';
import { loadTrustedDocumentsManifest } from '@meridian/schema';
import { createApiKeyExchange } from './api-keys/api-key-exchange';
import { registerApiKeys } from './api-keys/use-api-keys';
import type { WebBffConfig } from './config';
import { graphiqlCacheDir, useGraphiql } from './graphiql/use-graphiql';
import { useWebApp } from './web-app/use-web-app';
import { WebSessionStore } from './session/web-session-store';
import { createWebSessions } from './session/web-sessions';

/** The web BFF's name in logs and metrics, and the subject of its service tokens. */
export const WEB_BFF_NAME = 'bff-web';

/** What tests and the embedded starter may wire into the web BFF. */
export interface WebBffDeps extends BffDeps {
  /** Where sessions live; default Redis when REDIS_URL is set, else memory. Not closed by the BFF. */
  sessionStore?: KeyValueStore;
  /** The documents the dashboard may run by id; default the generated web manifest (`schema/client/src/__generated__/web`). */
  trustedDocuments?: TrustedDocumentStore;
}

/**
 * The web dashboard's BFF (port 4000): the shared pipeline with the dashboard's
 * limits, cookie sessions that keep every token server-side (POST /auth/login,
 * POST /auth/logout, GET /auth/session), CSRF checks, trusted documents (in
 * production only the dashboard's manifest runs), API keys for customers'
 * scripts (`Authorization: ApiKey <key>`, exchanged with identity for
 * short-lived tokens), GraphiQL at GET /graphql in development, and the
 * dashboard's build (`WEB_APP_DIR`) at `/`.
 */
export async function createWebBffServer(config: WebBffConfig, deps: WebBffDeps = {}): Promise<MeridianServer> {
  const logger = deps.logger ?? createLogger({ service: WEB_BFF_NAME, level: config.LOG_LEVEL });
  const ownStore = deps.sessionStore
    ? undefined
    : config.REDIS_URL
      ? createResilientRedisKeyValueStore({
          url: config.REDIS_URL,
          keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}${WEB_BFF_NAME}:`,
          commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
          logger,
        })
      : createMemoryKeyValueStore();
  if (ownStore && 'firstAttempt' in ownStore) await ownStore.firstAttempt;
  const store = new WebSessionStore(deps.sessionStore ?? ownStore!, {
    idleMs: config.WEB_SESSION_IDLE_MINUTES * 60_000,
    absoluteMs: config.WEB_SESSION_ABSOLUTE_HOURS * 3_600_000,
  });
  // One list for the cookie sessions and the BFF's token checks.
  const ownRevocations = deps.revocations ? undefined : await openSessionRevocations(config, { logger });
  const revocations = deps.revocations ?? ownRevocations!;
  const sessions = createWebSessions({ store, nodeEnv: config.NODE_ENV, allowedOrigins: config.CORS_ALLOWED_ORIGINS, revocations });
  const issueServiceToken =
    deps.issueServiceToken ?? createServiceTokenIssuer({ service: WEB_BFF_NAME, keys: await loadServiceSigningKeys(config, WEB_BFF_NAME) });
  // API keys are exchanged with identity for short-lived access tokens; failed lookups are counted in the session store's backend.
  const apiKeys = createApiKeyExchange({
    identityUrl: config.IDENTITY_URL,
    issueServiceToken,
    kv: deps.sessionStore ?? ownStore!,
    revocations,
    logger,
    failedLookupsPerAddress: config.WEB_API_KEY_FAILED_LOOKUPS,
    failedLookupWindowMs: config.WEB_API_KEY_FAILED_LOOKUP_WINDOW_MINUTES * 60_000,
  });
  const server = await createBffServer({
    name: WEB_BFF_NAME,
    config,
    limits: queryLimitsFrom('WEB', config),
    deps: { ...deps, logger, revocations, issueServiceToken },
    plugins: [sessions.plugin],
    context: sessions.context,
    trustedDocuments: {
      store: deps.trustedDocuments ?? createTrustedDocumentStore(loadTrustedDocumentsManifest('web')),
      mode: trustedDocumentsModeFor(config.WEB_TRUSTED_DOCUMENTS, config.NODE_ENV),
      // The web BFF keeps the server's 100 KiB body limit: GraphiQL sends free text in development.
      maxBodyBytes: 100 * 1024,
    },
    routes: async (app, logger, bff) => {
      registerApiKeys(app, { exchange: apiKeys, routes: new Set(['/graphql', '/uploads', DOCUMENT_DOWNLOAD_ROUTE, TRANSACTION_EXPORT_ROUTE]) });
      await sessions.register(app, logger, bff);
      if (config.NODE_ENV === 'development') useGraphiql(app, { logger, cacheDir: graphiqlCacheDir(config.DATA_DIR) });
      await useWebApp(app, { dir: config.WEB_APP_DIR, logger });
    },
  });
  return {
    ...server,
    async close() {
      await server.close();
      await ownStore?.close();
      await ownRevocations?.close();
    },
  };
}
