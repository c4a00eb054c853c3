import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  closeDataSource,
  createLogger,
  createAuditSealer,
  createOutboxRelay,
  createServiceClient,
  createServiceTokenIssuer,
  createJobQueue,
  DomainError,
  ErrorCode,
  createSubgraphServer,
  initializeDataSource,
  loadDataProtection,
  loadServiceSigningKeys,
  registerConsumerGroupMetrics,
  openEventBus,
  openSessionRevocations,
  type SessionRevocations,
  type AccessTokenVerifierOptions,
  type DataProtection,
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
import { PAYMENTS_STAFF_AUDIT_LOG, StaffAudit } from './data/staff-audit';
import type { FraudRuleOptions } from './domain/fraud-rules';
import type { PaymentProvider } from './providers';
import { openSimulatedProvider, PAYMENTS_WEBHOOK_PATH, webhookSecrets } from './providers/open-simulated-provider';
import { createResolvers } from './resolvers';
import { CustomerTiers } from './services/customer-tiers';
import { PAYMENTS_OUTBOX } from './services/payment-events';
import { PaymentService } from './services/payment-service';
import { SavedDestinations } from './services/saved-destinations';
import { SpendingLimits } from './services/spending-limits';
import { ProviderPayouts } from './services/provider-payouts';
import { ScheduledPayments } from './services/scheduled-payments';
import { BillerStore } from './data/biller-store';
import { CardStore } from './data/card-store';
import { PayeeStore } from './data/payee-store';
import { webhookRoute } from './http/webhook-route';

/** What the payments server is built from; tests replace what they need to watch. */
export interface PaymentsServerDeps {
  /** PostgreSQL URL (real or embedded). */
  databaseUrl: string;
  logger?: Logger;
  /** The list of ended sessions whose tokens are refused; default Redis when REDIS_URL is set, else one in memory. Not closed by payments when given. */
  revocations?: SessionRevocations;
  /** Where user access token keys come from; default identity's JWKS at IDENTITY_JWKS_URL. */
  accessTokenKeys?: AccessTokenVerifierOptions['keys'];
  /** Mints payments' service tokens; default signed with payments' own key. */
  serviceToken?: ServiceTokenIssuer;
  /** How calls to banking, identity and KYC reach them; tests route them in process. Default the network. */
  fetch?: { banking?: typeof fetch; identity?: typeof fetch; kyc?: typeof fetch };
  eventBus?: EventBus;
  fraudRules?: Partial<FraudRuleOptions>;
  /**
   * Tokenises cards (and will charge them and pay out); default the simulated provider, its state in Redis at
   * REDIS_URL or else in memory, its webhooks signed with PAYMENTS_WEBHOOK_SECRETS and sent to PAYMENTS_WEBHOOK_URL.
   */
  provider?: PaymentProvider;
  /** Connection pool size; default 10. */
  poolSize?: number;
  /** How often the job queue looks for due work, in seconds (at least 0.5); default 2. */
  jobPollingSeconds?: number;
}

/** The jobs of payments: a provider attempt to ask about again, and the ones that ran out of tries. */
type PaymentJobs = {
  'payments.resolve-attempt': { attemptId: string };
  'payments.attempts-dead': { attemptId: string };
  'payments.run-scheduled': { scheduleId: string; runAt: string };
  'payments.scheduled-dead': { scheduleId: string; runAt: string };
  'payments.finish-refund': { refundId: string };
  'payments.refunds-dead': { refundId: string };
};
const RESOLVE_ATTEMPT = 'payments.resolve-attempt';
const ATTEMPTS_DEAD = 'payments.attempts-dead';
const RUN_SCHEDULED = 'payments.run-scheduled';
const SCHEDULED_DEAD = 'payments.scheduled-dead';
const FINISH_REFUND = 'payments.finish-refund';
const REFUNDS_DEAD = 'payments.refunds-dead';

/** The payments server and what the embedded starter and tests reach into. */
export interface PaymentsServer extends MeridianServer {
  dataSource: DataSource;
  payments: PaymentService;
  tiers: CustomerTiers;
  /** Seals account numbers, references and card tokens. */
  protection: DataProtection;
  provider: PaymentProvider;
  scheduled: ScheduledPayments;
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

  const signingKeys = deps.serviceToken ? undefined : await loadServiceSigningKeys(config, 'payments');
  const serviceToken = deps.serviceToken ?? createServiceTokenIssuer({ service: 'payments', keys: signingKeys! });
  const client = (baseUrl: string, audience: string, fetcher?: typeof fetch) => createServiceClient({ baseUrl, audience, serviceToken, fetch: fetcher });
  const ledger = new LedgerClient(client(config.BANKING_INTERNAL_URL, 'banking', deps.fetch?.banking));
  const directory = new IdentityDirectory(client(config.IDENTITY_INTERNAL_URL, 'identity', deps.fetch?.identity));
  const tiers = new CustomerTiers(dataSource, new KycTiers(client(config.KYC_INTERNAL_URL, 'kyc', deps.fetch?.kyc)), logger);
  const limits = new SpendingLimits(config.PAYMENTS_LIMITS_TIME_ZONE);

  const protection = loadDataProtection(config);
  const secrets = webhookSecrets(config);
  const simulated = deps.provider === undefined ? await openSimulatedProvider(config, secrets[0], logger) : undefined;
  if (simulated && config.NODE_ENV === 'production') logger.warn('payments runs the simulated payment provider: no card is really tokenised, charged or paid out');
  const provider = deps.provider ?? simulated!.provider;

  // Work that runs later (asking the provider about an attempt) survives restarts and runs once across replicas.
  const jobs = createJobQueue<PaymentJobs>({
    databaseUrl: deps.databaseUrl,
    schema: 'payments_jobs',
    queues: {
      [RESOLVE_ATTEMPT]: { retryLimit: 12, retryDelay: 2, retryBackoff: true, expireInSeconds: 120, deadLetter: ATTEMPTS_DEAD },
      [ATTEMPTS_DEAD]: {},
      [RUN_SCHEDULED]: { retryLimit: 12, retryDelay: 5, retryBackoff: true, expireInSeconds: 300, deadLetter: SCHEDULED_DEAD },
      [SCHEDULED_DEAD]: {},
      [FINISH_REFUND]: { retryLimit: 12, retryDelay: 5, retryBackoff: true, expireInSeconds: 120, deadLetter: REFUNDS_DEAD },
      [REFUNDS_DEAD]: {},
    },
    logger,
    poolSize: config.DATABASE_URL ? 4 : 2,
  });
  await jobs.start();
  const payouts = new ProviderPayouts({
    db: dataSource,
    provider,
    payees: new PayeeStore(protection),
    cards: new CardStore(protection),
    billers: new BillerStore(protection),
    webhookSecrets: secrets,
    schedule: async (attemptId, afterSeconds) => void (await jobs.send(RESOLVE_ATTEMPT, { attemptId }, { startAfter: afterSeconds })),
    logger,
  });
  const payments = new PaymentService({
    db: dataSource,
    ledger,
    directory,
    tiers,
    limits,
    payouts,
    logger,
    fraudRules: deps.fraudRules,
    stepUp: { thresholdMinor: BigInt(config.PAYMENTS_STEP_UP_THRESHOLD_MINOR), maxAgeSeconds: config.STEP_UP_MAX_AGE_SECONDS },
    scheduleRefundCheck: async (refundId) => void (await jobs.send(FINISH_REFUND, { refundId }, { startAfter: 5, singletonKey: refundId })),
  });
  const scheduled = new ScheduledPayments(
    dataSource,
    payments,
    async (q, scheduleId, runAt) =>
      void (await jobs.send(RUN_SCHEDULED, { scheduleId, runAt: runAt.toISOString() }, { db: q, startAfter: runAt, singletonKey: `${scheduleId}:${runAt.toISOString()}` })),
    logger,
  );
  if (config.PAYMENTS_WORKERS) {
    const polling = { pollingIntervalSeconds: deps.jobPollingSeconds ?? 2 };
    jobs.work(RESOLVE_ATTEMPT, (job) => payments.resolveAttempt(job.data.attemptId), polling);
    jobs.work(RUN_SCHEDULED, (job) => scheduled.run(job.data.scheduleId, new Date(job.data.runAt)), polling);
    jobs.work(
      FINISH_REFUND,
      async (job) => {
        try {
          await payments.finishRefund(job.data.refundId);
        } catch (err) {
          // A refusal is how the refund ended (recorded as FAILED); only an unknown outcome runs the job again.
          if (!(err instanceof DomainError) || err.code === ErrorCode.SERVICE_UNAVAILABLE) throw err;
        }
      },
      polling,
    );
  }
  const audit = new StaffAudit(dataSource);
  const destinations = new SavedDestinations({ db: dataSource, protection, provider, audit });

  const bus = config.PAYMENTS_WORKERS ? (deps.eventBus ?? (await openEventBus(config, { logger }))) : undefined;
  const revocations = deps.revocations ?? (await openSessionRevocations(config, { logger }));
  let tierSubscription: Subscription | undefined;

  const server = await createSubgraphServer(config, {
    name: 'payments',
    logger,
    typeDefs: paymentsTypeDefs,
    resolvers: createResolvers({ db: dataSource, payments, tiers, limits, audit, destinations, scheduled }),
    accessTokenKeys: deps.accessTokenKeys,
    revocations,
    // Payments' mutations move money or set up what moves it: none runs while signed-out tokens cannot be told apart.
    failClosedMutations: true,
    database: dataSource,
    // The provider's webhook is signed, and has no service token.
    publicRoutes: [{ url: PAYMENTS_WEBHOOK_PATH, methods: ['POST'] }],
    routes: (app) => webhookRoute(app, { payments, logger }),
    signingKeys,
    workers: (metrics) => {
      if (!bus) return [];
      registerConsumerGroupMetrics(metrics.registry, bus, [{ stream: KYC_STREAM, group: TIER_GROUP }], { logger });
      return [
        createOutboxRelay({ dataSource, table: PAYMENTS_OUTBOX, bus, logger, metrics }),
        // Chains new staff audit entries about once a second; replicas take turns.
        createAuditSealer(dataSource, PAYMENTS_STAFF_AUDIT_LOG, { logger, metrics }),
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
      ];
    },
    async close() {
      await jobs.stop();
      await simulated?.close();
      if (bus && !deps.eventBus) await bus.close();
      if (!deps.revocations) await revocations.close();
      await closeDataSource(dataSource);
    },
  });
  return { ...server, dataSource, payments, tiers, protection, provider, scheduled };
}
