// `npm start`: every Meridian server in one process. Without DATABASE_URL it runs on the
// embedded PostgreSQL (PGlite, persisted under DATA_DIR) and seeds the demo user.
import './start-tracing';
import { createResponseCache } from '@meridian/bff-core';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';
import { createWebBffServer, loadWebBffConfig } from '@meridian/bff-web';
import { createBankingServer, loadBankingConfig, seedDemoBanking } from '@meridian/banking';
import { createIdentityServer, DEMO_USER, loadIdentityConfig, seedDemoUser, seedVerifiedUser } from '@meridian/identity';
import { createKycServer, loadKycConfig, seedDemoKyc } from '@meridian/kyc';
import { createInsightsServer, loadInsightsConfig, rebuildReadModel, seedDemoInsights } from '@meridian/insights';
import { createPaymentsServer, DEMO_FRIEND, loadPaymentsConfig, seedDemoPayments } from '@meridian/payments';
import {
  closeOnSignals,
  createLogger,
  listenServer,
  loadBaseConfig,
  openDatabase,
  openEventBus,
  openKeyValueStore,
  openSessionRevocations,
  startTelemetry,
  type MeridianServer,
} from '@meridian/platform';
import { createGatewayServer, loadGatewayConfig } from '@meridian/supergraph';
import { ensureWebAppBuilt } from '@meridian/web/build';

/**
 * One process runs several signing services, and each must sign with its own key:
 * `GATEWAY_SERVICE_SIGNING_KEYS`, `BFF_WEB_SERVICE_SIGNING_KEYS`, `BFF_MOBILE_SERVICE_SIGNING_KEYS`
 * (as `deploy/generate-keys.ts` writes them) become that server's `SERVICE_SIGNING_KEYS`.
 * Unset outside production, each generates its own under DATA_DIR.
 */
function withOwnSigningKeys(env: NodeJS.ProcessEnv, service: string): NodeJS.ProcessEnv {
  const own = env[`${service.toUpperCase().replace(/-/g, '_')}_SERVICE_SIGNING_KEYS`];
  return { ...env, SERVICE_SIGNING_KEYS: own ?? '' };
}

async function main(): Promise<void> {
  const base = loadBaseConfig();
  const logger = createLogger({ service: 'meridian', level: base.LOG_LEVEL });
  // The dashboard is built while the servers start: the first time, and again only when its sources changed.
  // A WEB_APP_DIR given by the operator is served as it is.
  const webApp = process.env.WEB_APP_DIR
    ? Promise.resolve()
    : ensureWebAppBuilt({ log: (line) => logger.info(line) }).then(
        () => undefined,
        (err: Error) => logger.warn({ err: err.message }, 'the web dashboard could not be built; the web BFF answers 404 at /'),
      );
  // Started already by the first import; this returns its stop.
  const stopTelemetry = startTelemetry('meridian', base);
  const database = await openDatabase(base);
  // One bus for every server of the process: in embedded mode the in-process bus is the only way KYC's tier changes reach payments.
  const eventBus = await openEventBus(base, { logger });
  // One list of ended sessions for every server: in embedded mode the only way a sign-out in identity reaches the others.
  const revocations = await openSessionRevocations(base, { logger });
  // One response cache for both BFFs: a write through either ends the other's cached answers.
  const cacheStore = await openKeyValueStore(base);
  const servers: MeridianServer[] = [];
  const stopAll = async () => {
    for (const server of servers.reverse()) await server.close();
    await revocations.close();
    await cacheStore.close();
    await eventBus.close();
    await database.stop();
    await stopTelemetry();
  };

  try {
    const identityConfig = loadIdentityConfig({ ...process.env, MIGRATE_ON_START: process.env.MIGRATE_ON_START ?? (base.DATABASE_URL ? 'false' : 'true') });
    const identity = await createIdentityServer(identityConfig, { databaseUrl: database.url, revocations });
    servers.push(identity);
    await identity.app.listen({ port: identityConfig.IDENTITY_PORT, host: base.HOST });
    const identityUrl = `http://127.0.0.1:${identityConfig.IDENTITY_PORT}`;
    // The other servers reach identity (and its keys) where this process put it, unless told otherwise.
    const subgraphEnv = {
      ...process.env,
      IDENTITY_JWKS_URL: process.env.IDENTITY_JWKS_URL ?? `${identityUrl}/.well-known/jwks.json`,
      MIGRATE_ON_START: identityConfig.MIGRATE_ON_START ? 'true' : 'false',
    };

    const bankingConfig = loadBankingConfig(subgraphEnv);
    const banking = await createBankingServer(bankingConfig, { databaseUrl: database.url, eventBus, revocations });
    servers.push(banking);
    await banking.app.listen({ port: bankingConfig.BANKING_PORT, host: base.HOST });
    const bankingUrl = `http://127.0.0.1:${bankingConfig.BANKING_PORT}/graphql`;

    const kycConfig = loadKycConfig(subgraphEnv);
    const kyc = await createKycServer(kycConfig, { databaseUrl: database.url, eventBus, revocations });
    servers.push(kyc);
    await kyc.app.listen({ port: kycConfig.KYC_PORT, host: base.HOST });
    const kycUrl = `http://127.0.0.1:${kycConfig.KYC_PORT}/graphql`;

    // Payments calls banking, identity and KYC where this process put them, with a signing key of its own.
    const paymentsConfig = loadPaymentsConfig(
      withOwnSigningKeys(
        {
          ...subgraphEnv,
          BANKING_INTERNAL_URL: process.env.BANKING_INTERNAL_URL ?? `http://127.0.0.1:${bankingConfig.BANKING_PORT}`,
          IDENTITY_INTERNAL_URL: process.env.IDENTITY_INTERNAL_URL ?? identityUrl,
          KYC_INTERNAL_URL: process.env.KYC_INTERNAL_URL ?? `http://127.0.0.1:${kycConfig.KYC_PORT}`,
        },
        'payments',
      ),
    );
    const payments = await createPaymentsServer(paymentsConfig, { databaseUrl: database.url, eventBus, revocations });
    servers.push(payments);
    await payments.app.listen({ port: paymentsConfig.PAYMENTS_PORT, host: base.HOST });
    const paymentsUrl = `http://127.0.0.1:${paymentsConfig.PAYMENTS_PORT}/graphql`;

    // Insights reads banking's ledger (events, and its history for a rebuild) with a signing key of its own.
    const insightsConfig = loadInsightsConfig(
      withOwnSigningKeys({ ...subgraphEnv, BANKING_INTERNAL_URL: process.env.BANKING_INTERNAL_URL ?? `http://127.0.0.1:${bankingConfig.BANKING_PORT}` }, 'insights'),
    );
    const insights = await createInsightsServer(insightsConfig, { databaseUrl: database.url, eventBus, revocations });
    servers.push(insights);
    await insights.app.listen({ port: insightsConfig.INSIGHTS_PORT, host: base.HOST });
    const insightsUrl = `http://127.0.0.1:${insightsConfig.INSIGHTS_PORT}/graphql`;
    const [{ seen }] = await insights.dataSource.query(`SELECT EXISTS (SELECT 1 FROM insights.transactions) AS seen`);
    const [{ written }] = await banking.dataSource.query(`SELECT EXISTS (SELECT 1 FROM banking.transfers) AS written`);
    const unseenLedger = !seen && written;

    const env = {
      ...process.env,
      IDENTITY_URL: process.env.IDENTITY_URL ?? `${identityUrl}/graphql`,
      IDENTITY_JWKS_URL: subgraphEnv.IDENTITY_JWKS_URL,
      BANKING_URL: process.env.BANKING_URL ?? bankingUrl,
      KYC_URL: process.env.KYC_URL ?? kycUrl,
      PAYMENTS_URL: process.env.PAYMENTS_URL ?? paymentsUrl,
      INSIGHTS_URL: process.env.INSIGHTS_URL ?? insightsUrl,
    };

    const gatewayConfig = loadGatewayConfig(withOwnSigningKeys(env, 'gateway'));
    const gateway = await createGatewayServer(gatewayConfig);
    servers.push(gateway);
    await gateway.app.listen({ port: gatewayConfig.GATEWAY_PORT, host: base.HOST });

    await webApp;
    const webConfig = loadWebBffConfig(withOwnSigningKeys(env, 'bff-web'));
    const responseCache = createResponseCache({ store: cacheStore, maxAgeSeconds: webConfig.RESPONSE_CACHE_MAX_AGE_SECONDS, logger });
    const web = await createWebBffServer(webConfig, { revocations, responseCache, eventBus });
    servers.push(web);
    await listenServer(web, { host: base.HOST, port: webConfig.WEB_BFF_PORT, metricsPort: webConfig.WEB_BFF_METRICS_PORT });

    const mobileConfig = loadMobileBffConfig(withOwnSigningKeys(env, 'bff-mobile'));
    const mobile = await createMobileBffServer(mobileConfig, { revocations, responseCache, eventBus });
    servers.push(mobile);
    await listenServer(mobile, { host: base.HOST, port: mobileConfig.MOBILE_BFF_PORT, metricsPort: mobileConfig.MOBILE_BFF_METRICS_PORT });

    const seeded = database.kind === 'pglite' || process.env.SEED_DEMO_DATA === 'true';
    const demo = seeded ? await seedDemoUser(identity.accounts) : undefined;
    const history = demo
      ? await seedDemoBanking({ accounts: banking.accounts, ledger: banking.ledger, fx: banking.fx, ownerId: demo.userId })
      : undefined;
    const demoKyc = demo ? await seedDemoKyc(kyc, demo.userId) : undefined;
    let demoPayments: number | undefined;
    if (demo) {
      // A friend to pay: a second customer with a GBP account, verified to tier 1.
      const friend = { id: (await seedVerifiedUser(identity.accounts, DEMO_FRIEND)).userId };
      const [friendAccounts, demoAccounts] = await banking.accounts.findByOwners([friend.id, demo.userId]);
      if (!friendAccounts.some((a) => a.currency === 'GBP')) await banking.accounts.openAccount({ ownerId: friend.id, type: 'CURRENT', currency: 'GBP' });
      const gbp = demoAccounts.find((a) => a.currency === 'GBP' && a.type === 'CURRENT') ?? demoAccounts.find((a) => a.currency === 'GBP');
      if (gbp) demoPayments = await seedDemoPayments(payments, { payerId: demo.userId, payerAccountId: gbp.id, friendEmail: DEMO_FRIEND.email });
    }

    // A ledger insights has never seen (a data directory from before insights) is read from banking's history; new transfers arrive as events.
    const rebuilt = unseenLedger ? await rebuildReadModel({ db: insights.dataSource, ledger: insights.ledger, projection: insights.projection }) : undefined;
    const demoInsights = demo && history ? await seedDemoInsights(insights, { userId: demo.userId, savingsAccountId: history.accounts.savings.id }) : undefined;

    const host = base.HOST === '0.0.0.0' ? '127.0.0.1' : base.HOST;
    const mode =
      database.kind === 'pglite'
        ? `embedded: PGlite under ${base.DATA_DIR}, in-memory store`
        : `services: PostgreSQL ${new URL(database.url).host}${base.REDIS_URL ? `, Redis ${new URL(base.REDIS_URL).host}` : ''}`;
    const lines = [
      '',
      `Meridian is running (${mode}, NODE_ENV=${base.NODE_ENV})`,
      `  dashboard   http://${host}:${webConfig.WEB_BFF_PORT}/   <- the web app; sign in as the demo user below`,
      `  web BFF     http://${host}:${webConfig.WEB_BFF_PORT}/graphql${base.NODE_ENV === 'development' ? '   <- open in a browser for GraphiQL' : ''}`,
      `  mobile BFF  http://${host}:${mobileConfig.MOBILE_BFF_PORT}/graphql`,
      `  metrics     web BFF http://${host}:${webConfig.WEB_BFF_METRICS_PORT}/metrics, mobile BFF http://${host}:${mobileConfig.MOBILE_BFF_METRICS_PORT}/metrics, the others on their own port`,
      `  gateway     http://${host}:${gatewayConfig.GATEWAY_PORT}/graphql   (internal: service token required)`,
      `  identity    http://${host}:${identityConfig.IDENTITY_PORT}/graphql   (internal: service token required)${base.NODE_ENV === 'development' ? `; emails sent (verification links, reset codes): http://${host}:${identityConfig.IDENTITY_PORT}/dev/mailbox?to=<email>` : ''}`,
      `  banking     http://${host}:${bankingConfig.BANKING_PORT}/graphql   (internal: service token required)`,
      `  kyc         http://${host}:${kycConfig.KYC_PORT}/graphql   (internal: service token required)${base.NODE_ENV === 'development' ? `; phone codes sent: http://${host}:${kycConfig.KYC_PORT}/dev/mailbox?to=<number>` : ''}`,
      `  payments    http://${host}:${paymentsConfig.PAYMENTS_PORT}/graphql   (internal: service token required)`,
      `  insights    http://${host}:${insightsConfig.INSIGHTS_PORT}/graphql   (internal: service token required)`,
      ...(demo ? [`  demo user   ${DEMO_USER.email} / ${DEMO_USER.password}   (${demo.outcome === 'created' ? 'created' : 'already there'})`] : []),
      ...(history ? [`  demo data   current, savings and wallet accounts with ${history.planned} transfers over 12 months`] : []),
      ...(demoKyc ? [`  demo KYC    the demo user is verified to TIER_2 (${demoKyc === 'created' ? 'created' : 'already there'})`] : []),
      ...(rebuilt ? [`  insights    built from the ledger: ${rebuilt.transfers} transfers for ${rebuilt.customers} customers`] : []),
      ...(demoInsights ? [`  demo money  the demo user's year is categorised, with three budgets and a savings goal (${demoInsights === 'created' ? 'created' : 'already there'})`] : []),
      ...(demoPayments !== undefined ? [`  demo pay    ${demoPayments} payments to ${DEMO_FRIEND.displayName} (${DEMO_FRIEND.email} / ${DEMO_FRIEND.password}), whom the demo user can pay by email or ${DEMO_FRIEND.phone}`] : []),
      '  stop with Ctrl+C; `npm run reset` wipes the embedded data',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    logger.info({ ports: servers.map((s) => s.name) }, 'Meridian ready');
    closeOnSignals(logger, [stopAll]);
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
