import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  closeDataSource,
  createLogger,
  createServiceClient,
  createServiceTokenIssuer,
  createSubgraphServer,
  initializeDataSource,
  loadServiceSigningKeys,
  openEventBus,
  openSessionRevocations,
  registerConsumerGroupMetrics,
  type SessionRevocations,
  type AccessTokenVerifierOptions,
  type EventBus,
  type EventHandler,
  type Logger,
  type MeridianServer,
  type ServiceTokenIssuer,
  type Subscription,
} from '@meridian/platform';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import { LedgerReader } from './clients/ledger-reader';
import type { InsightsConfig } from './config';
import { createInsightsDataSource } from './data/data-source';
import { EXPORT_ROUTE, exportRoute } from './http/export-route';
import { createResolvers } from './resolvers';
import { AccountDirectory } from './services/accounts';
import { AlertRules } from './services/alert-rules';
import { AlertStore } from './services/alert-store';
import { CashForecaster } from './services/cash-forecaster';
import { CategoryRules } from './services/category-rules';
import { Enrichment } from './services/enrichment';
import { InsightsService } from './services/insights-service';
import { LEDGER_STREAM, LedgerProjection } from './services/ledger-projection';
import { PAYMENTS_STREAM, PaymentsProjection } from './services/payments-projection';

/** What the insights server is built from; tests replace what they need to watch. */
export interface InsightsServerDeps {
  /** PostgreSQL URL (real or embedded). */
  databaseUrl: string;
  logger?: Logger;
  /** The list of ended sessions whose tokens are refused; default Redis when REDIS_URL is set, else one in memory. Not closed by insights when given. */
  revocations?: SessionRevocations;
  /** Where user access token keys come from; default identity's JWKS at IDENTITY_JWKS_URL. */
  accessTokenKeys?: AccessTokenVerifierOptions['keys'];
  /** Signs insights' service tokens (for banking's ledger API); default its own keys. */
  serviceToken?: ServiceTokenIssuer;
  /** How calls reach banking; tests pass an in-process one. */
  fetch?: typeof fetch;
  eventBus?: EventBus;
  /** How often the alert rules run, in ms; default 15 s. */
  alertIntervalMs?: number;
  /** The clock the dashboard's "today" comes from; default the system clock. */
  clock?: () => Date;
  /** Connection pool size; default 10. */
  poolSize?: number;
}

/** The insights server and what the embedded starter, the rebuild and tests reach into. */
export interface InsightsServer extends MeridianServer {
  dataSource: DataSource;
  projection: LedgerProjection;
  payments: PaymentsProjection;
  ledger: LedgerReader;
  insights: InsightsService;
  alertRules: AlertRules;
}

/** The SDL, read once; it is the source of truth for codegen and composition too. */
export const insightsTypeDefs = parse(fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Insights' consumer group on each stream it reads. */
export const INSIGHTS_GROUP = 'insights';

/**
 * Builds insights: the read model kept from `ledger.events` and
 * `payments.events` (consumer group `insights`, at least once, idempotent,
 * poison events parked in `<stream>.dlq`), the dashboard's aggregates at
 * /graphql, the alert rules, and the CSV export for the BFFs.
 */
export async function createInsightsServer(config: InsightsConfig, deps: InsightsServerDeps): Promise<InsightsServer> {
  const logger = deps.logger ?? createLogger({ service: 'insights', level: config.LOG_LEVEL });
  const dataSource = createInsightsDataSource(deps.databaseUrl, deps.poolSize);
  await initializeDataSource(dataSource, config.MIGRATE_ON_START ?? !config.DATABASE_URL);

  const signingKeys = deps.serviceToken ? undefined : await loadServiceSigningKeys(config, 'insights');
  const serviceToken = deps.serviceToken ?? createServiceTokenIssuer({ service: 'insights', keys: signingKeys! });
  const ledger = new LedgerReader(createServiceClient({ baseUrl: config.BANKING_INTERNAL_URL, audience: 'banking', serviceToken, fetch: deps.fetch }));
  const accounts = new AccountDirectory(ledger);
  const enrichment = new Enrichment();
  const projection = new LedgerProjection(dataSource, accounts, enrichment, config.INSIGHTS_TIME_ZONE);
  const payments = new PaymentsProjection(dataSource);
  const insights = new InsightsService(dataSource, accounts, config.INSIGHTS_TIME_ZONE, deps.clock);
  const forecaster = new CashForecaster(dataSource, insights);
  const alerts = new AlertStore();
  const alertRules = new AlertRules(dataSource, insights, forecaster, alerts);
  const rules = new CategoryRules(dataSource, enrichment);
  const revocations = deps.revocations ?? (await openSessionRevocations(config, { logger }));

  const bus = config.INSIGHTS_WORKERS ? (deps.eventBus ?? (await openEventBus(config, { logger }))) : undefined;
  const consumers: [string, EventHandler][] = [
    [LEDGER_STREAM, (event) => projection.handle(event)],
    [PAYMENTS_STREAM, (event) => payments.handle(event)],
  ];
  const subscriptions: Subscription[] = [];

  const server = await createSubgraphServer(config, {
    name: 'insights',
    logger,
    typeDefs: insightsTypeDefs,
    resolvers: createResolvers({ db: dataSource, insights, rules, alerts, accounts, forecaster }),
    accessTokenKeys: deps.accessTokenKeys,
    revocations,
    database: dataSource,
    routes: (app, _metrics, accessTokens) => exportRoute(app, { db: dataSource, accessTokens, callers: config.INSIGHTS_API_CALLERS, logger }),
    signingKeys,
    workers: (metrics) => {
      if (!bus) return [];
      registerConsumerGroupMetrics(metrics.registry, bus, consumers.map(([stream]) => ({ stream, group: INSIGHTS_GROUP })), { logger });
      return [
        {
          // Every replica joins the one group per stream: each event is applied once, and again harmlessly if redelivered.
          start: () => {
            for (const [stream, handler] of consumers) {
              void bus
                .subscribe(stream, INSIGHTS_GROUP, `${os.hostname()}-${process.pid}`, handler, { maxAttempts: config.INSIGHTS_MAX_ATTEMPTS })
                .then((subscription) => subscriptions.push(subscription))
                .catch((err: unknown) => logger.error({ err, stream }, 'could not follow the stream'));
            }
          },
          stop: async () => {
            await Promise.all(subscriptions.map((s) => s.close()));
          },
        },
        alertRules.worker({ intervalMs: deps.alertIntervalMs ?? 15_000, logger, metrics }),
      ];
    },
    async close() {
      if (bus && !deps.eventBus) await bus.close();
      if (!deps.revocations) await revocations.close();
      await closeDataSource(dataSource);
    },
  });
  return { ...server, dataSource, projection, payments, ledger, insights, alertRules };
}

export { EXPORT_ROUTE };
