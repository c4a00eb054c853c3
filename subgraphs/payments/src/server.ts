import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  closeDataSource,
  createAccessTokenVerifier,
  createLogger,
  createOutboxRelay,
  createServiceClient,
  createServiceTokenIssuer,
  createSubgraphServer,
  initializeDataSource,
  loadServiceSigningKeys,
  openEventBus,
  remoteKeyResolver,
  type AccessTokenVerifierOptions,
  type EventBus,
  type Logger,
  type MeridianServer,
  type ServiceTokenIssuer,
  type Subscription,
} from '@meridian/platform';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import { IdentityDirectory, KycTiers } from './clients/directory-client';
import { LedgerClient } from './clients/ledger-client';
import type { PaymentsConfig } from './config';
import { createPaymentsDataSource } from './data/data-source';
import { StaffAudit } from './data/staff-audit';
import type { FraudRuleOptions } from './domain/fraud-rules';
import { createResolvers } from './resolvers';
import { CustomerTiers } from './services/customer-tiers';
import { PAYMENTS_OUTBOX } from './services/payment-events';
import { PaymentService } from './services/payment-service';
import { SpendingLimits } from './services/spending-limits';

/** What the payments server is built from; tests replace what they need to watch. */
export interface PaymentsServerDeps {
  /** PostgreSQL URL (real or embedded). */
  databaseUrl: string;
  logger?: Logger;
  /** Where user access token keys come from; default identity's JWKS at IDENTITY_JWKS_URL. */
  accessTokenKeys?: AccessTokenVerifierOptions['keys'];
  /** Mints payments' service tokens; default signed with payments' own key. */
  serviceToken?: ServiceTokenIssuer;
  /** How calls to banking, identity and KYC reach them; tests route them in process. Default the network. */
  fetch?: { banking?: typeof fetch; identity?: typeof fetch; kyc?: typeof fetch };
  eventBus?: EventBus;
  fraudRules?: Partial<FraudRuleOptions>;
  /** Connection pool size; default 10. */
  poolSize?: number;
}

/** The payments server and what the embedded starter and tests reach into. */
export interface PaymentsServer extends MeridianServer {
  dataSource: DataSource;
  payments: PaymentService;
  tiers: CustomerTiers;
}

/** The SDL, read once; it is the source of truth for codegen and composition too. */
export const paymentsTypeDefs = parse(fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The stream KYC publishes tier changes on, and payments' consumer group on it. */
const KYC_STREAM = 'kyc.events';
const TIER_GROUP = 'payments-tiers';

/**
 * Builds payments: payments from intent to money moved at /graphql, on
 * banking's internal ledger API, with identity's lookup for recipients and
 * KYC's tiers (projected from `kyc.tier.changed`) for the limits.
 */
export async function createPaymentsServer(config: PaymentsConfig, deps: PaymentsServerDeps): Promise<PaymentsServer> {
  const logger = deps.logger ?? createLogger({ service: 'payments', level: config.LOG_LEVEL });
  const dataSource = createPaymentsDataSource(deps.databaseUrl, deps.poolSize);
  await initializeDataSource(dataSource, config.MIGRATE_ON_START ?? !config.DATABASE_URL);

  const serviceToken = deps.serviceToken ?? createServiceTokenIssuer({ service: 'payments', keys: await loadServiceSigningKeys(config, 'payments') });
  const client = (baseUrl: string, audience: string, fetcher?: typeof fetch) => createServiceClient({ baseUrl, audience, serviceToken, fetch: fetcher });
  const ledger = new LedgerClient(client(config.BANKING_INTERNAL_URL, 'banking', deps.fetch?.banking));
  const directory = new IdentityDirectory(client(config.IDENTITY_INTERNAL_URL, 'identity', deps.fetch?.identity));
  const tiers = new CustomerTiers(dataSource, new KycTiers(client(config.KYC_INTERNAL_URL, 'kyc', deps.fetch?.kyc)), logger);
  const limits = new SpendingLimits(config.PAYMENTS_LIMITS_TIME_ZONE);
  const payments = new PaymentService({ db: dataSource, ledger, directory, tiers, limits, logger, fraudRules: deps.fraudRules });

  const bus = config.PAYMENTS_WORKERS ? (deps.eventBus ?? (await openEventBus(config, { logger }))) : undefined;
  let tierSubscription: Subscription | undefined;

  const server = await createSubgraphServer(config, {
    name: 'payments',
    logger,
    typeDefs: paymentsTypeDefs,
    resolvers: createResolvers({ db: dataSource, payments, tiers, limits, audit: new StaffAudit(dataSource) }),
    accessTokens: createAccessTokenVerifier({
      issuer: config.ACCESS_TOKEN_ISSUER,
      audience: config.ACCESS_TOKEN_AUDIENCE,
      keys: deps.accessTokenKeys ?? remoteKeyResolver(config.IDENTITY_JWKS_URL),
    }),
    readiness: [{ name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) }],
    workers: (metrics) =>
      bus
        ? [
            createOutboxRelay({ dataSource, table: PAYMENTS_OUTBOX, bus, logger, metrics }),
            {
              // Every replica joins the one group: each tier change is applied once, and again harmlessly if redelivered.
              start: () => {
                void bus
                  .subscribe(KYC_STREAM, TIER_GROUP, `${os.hostname()}-${process.pid}`, (event) => tiers.handle(event))
                  .then((subscription) => (tierSubscription = subscription))
                  .catch((err: unknown) => logger.error({ err }, 'could not follow KYC tier changes'));
              },
              stop: async () => {
                await tierSubscription?.close();
              },
            },
          ]
        : [],
    async close() {
      if (bus && !deps.eventBus) await bus.close();
      await closeDataSource(dataSource);
    },
  });
  return { ...server, dataSource, payments, tiers };
}
