import fs from 'node:fs';
import path from 'node:path';
import {
  closeDataSource,
  createAuditSealer,
  createFileObjectStore,
  createLogger,
  createOutboxRelay,
  loadWebhookSecrets,
  postWebhook,
  createSubgraphServer,
  initializeDataSource,
  devMailboxToServe,
  loadDataProtection,
  openEventBus,
  openKeyValueStore,
  openNotifier,
  openSessionRevocations,
  type DeliverWebhook,
  type SessionRevocations,
  type AccessTokenVerifierOptions,
  type DataProtection,
  type EventBus,
  type KeyValueStore,
  type Logger,
  type MeridianServer,
  type Notifier,
  type ObjectStore,
} from '@meridian/platform';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import type { KycConfig } from './config';
import { AuditLog, KYC_AUDIT_LOG } from './data/audit-log';
import { CaseStore } from './data/case-store';
import { createKycDataSource } from './data/data-source';
import { ProfileStore } from './data/profile-store';
import { DEV_MAILBOX_ROUTE, kycRoutes, PROVIDER_WEBHOOK_ROUTE } from './http/routes';
import { createSimulatedProvider, type VerificationProvider } from './providers';
import { createResolvers } from './resolvers';
import { loadOfacSdnDirectory } from './screening';
import { CaseProcessor } from './services/case-processor';
import { DEFAULT_PHONE_CODE_POLICY, PhoneVerification, type PhoneCodePolicy } from './services/phone-verification';
import { createDocumentRetentionWorker } from './services/retention';
import { ReviewService } from './services/review-service';
import { createRescreenWorker, SanctionsLists } from './services/sanctions';
import { KYC_OUTBOX } from './services/tier-changes';
import { VerificationService } from './services/verification-service';

/** What the KYC server is built from; tests replace what they need to watch. */
export interface KycServerDeps {
  /** PostgreSQL URL (real or embedded). */
  databaseUrl: string;
  logger?: Logger;
  /** The list of ended sessions whose tokens are refused; default Redis when REDIS_URL is set, else one in memory. Not closed by kyc when given. */
  revocations?: SessionRevocations;
  /** Where user access token keys come from; default identity's JWKS at IDENTITY_JWKS_URL. */
  accessTokenKeys?: AccessTokenVerifierOptions['keys'];
  /** Where phone codes are sent; default per NOTIFICATIONS (the dev mailbox outside production). */
  notifier?: Notifier;
  /** Where documents live; default the encrypted filesystem store at OBJECT_STORE_DIR. */
  objectStore?: ObjectStore;
  /** The verification provider; default per KYC_PROVIDER. */
  provider?: VerificationProvider;
  /** How the simulated provider delivers its webhooks; default an HTTP POST to KYC_WEBHOOK_URL. */
  deliverWebhook?: DeliverWebhook;
  /** How long the simulated provider takes to answer, in ms; default 200. */
  providerDelayMs?: number;
  phoneCodePolicy?: PhoneCodePolicy;
  eventBus?: EventBus;
  /** Connection pool size; default 10. */
  poolSize?: number;
}

/** The KYC server and what the embedded starter and tests reach into. */
export interface KycServer extends MeridianServer {
  dataSource: DataSource;
  sanctions: SanctionsLists;
  processor: CaseProcessor;
  notifier: Notifier;
  protection: DataProtection;
  objectStore: ObjectStore;
}

/** The SDL, read once; it is the source of truth for codegen and composition too. */
export const kycTypeDefs = parse(fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** The bundled sample sanctions list (fictional entries in the OFAC SDN layout). */
export const SAMPLE_SANCTIONS_DIR = path.join(__dirname, '..', 'data', 'sanctions', 'sample');

/** Provider webhook secrets: configured, or generated once under DATA_DIR outside production. */
function webhookSecrets(config: KycConfig): string[] {
  return loadWebhookSecrets({
    configured: config.KYC_WEBHOOK_SECRETS,
    file: path.join(config.DATA_DIR, 'keys', 'kyc-webhook-secrets.json'),
    production: config.NODE_ENV === 'production',
    settingName: 'KYC_WEBHOOK_SECRETS',
  });
}

/**
 * Builds KYC: profiles with personal data sealed field by field, verification
 * cases, documents, phone codes, sanctions screening, provider checks and the
 * compliance review, at /graphql; the tier API for payments; the provider
 * webhook; document content for the BFFs.
 */
export async function createKycServer(config: KycConfig, deps: KycServerDeps): Promise<KycServer> {
  const logger = deps.logger ?? createLogger({ service: 'kyc', level: config.LOG_LEVEL });
  if (config.NODE_ENV === 'production' && !config.KYC_PROVIDER && !deps.provider) {
    throw new Error('KYC_PROVIDER must be set in production (the simulated provider approves by rule, not by checking anyone)');
  }
  const dataSource = createKycDataSource(deps.databaseUrl, deps.poolSize);
  await initializeDataSource(dataSource, config.MIGRATE_ON_START ?? !config.DATABASE_URL);

  const protection = loadDataProtection(config);
  const objectStore = deps.objectStore ?? createFileObjectStore({ dir: config.OBJECT_STORE_DIR ?? path.join(config.DATA_DIR, 'objects'), envelope: protection.envelope });
  let kv: KeyValueStore | undefined;
  const notifier =
    deps.notifier ??
    openNotifier(config, {
      kv: (kv = await openKeyValueStore(config)),
      logger,
    });

  const secrets = webhookSecrets(config);
  const simulated =
    deps.provider === undefined
      ? createSimulatedProvider({
          secret: secrets[0],
          deliver: deps.deliverWebhook ?? postWebhook(config.KYC_WEBHOOK_URL ?? `http://127.0.0.1:${config.KYC_PORT}${PROVIDER_WEBHOOK_ROUTE}`),
          delayMs: deps.providerDelayMs,
          logger,
        })
      : undefined;
  if (simulated && config.NODE_ENV === 'production') logger.warn('KYC runs the simulated verification provider: it approves by rule, not by checking anyone');
  const provider = deps.provider ?? simulated!;

  const profiles = new ProfileStore(protection);
  const cases = new CaseStore();
  const sanctions = new SanctionsLists(dataSource, { threshold: config.KYC_SCREENING_THRESHOLD, logger });
  const listDir = config.KYC_SANCTIONS_LIST_DIR ?? (config.NODE_ENV === 'production' ? undefined : SAMPLE_SANCTIONS_DIR);
  if (listDir && !(await sanctions.hasActive())) await sanctions.load(await loadOfacSdnDirectory(listDir));
  if (!listDir && !(await sanctions.hasActive())) logger.warn('no sanctions list is loaded: every case goes to review until one is (npm run kyc:load-sanctions)');

  const processor = new CaseProcessor({ db: dataSource, profiles, cases, sanctions, provider, webhookSecrets: secrets, logger });
  const review = new ReviewService(dataSource, profiles, cases, new AuditLog(), objectStore, logger);
  const verification = new VerificationService(dataSource, profiles, cases, objectStore, logger);
  const phone = new PhoneVerification(dataSource, profiles, protection, notifier, {
    ...DEFAULT_PHONE_CODE_POLICY,
    stepUpMaxAgeSeconds: config.STEP_UP_MAX_AGE_SECONDS,
    ...deps.phoneCodePolicy,
  });
  const revocations = deps.revocations ?? (await openSessionRevocations(config, { logger }));
  const devMailbox = devMailboxToServe(config, notifier);
  const bus = config.KYC_WORKERS ? (deps.eventBus ?? (await openEventBus(config, { logger }))) : undefined;

  const server = await createSubgraphServer(config, {
    name: 'kyc',
    logger,
    typeDefs: kycTypeDefs,
    resolvers: createResolvers({ db: dataSource, cases, verification, phone, processor, review, stepUpMaxAgeSeconds: config.STEP_UP_MAX_AGE_SECONDS }),
    accessTokenKeys: deps.accessTokenKeys,
    revocations,
    database: dataSource,
    // The webhook is signed by the provider, which has no service token; the mailbox exists only in development.
    publicRoutes: [{ url: PROVIDER_WEBHOOK_ROUTE, methods: ['POST'] }, ...(devMailbox ? [{ url: DEV_MAILBOX_ROUTE, methods: ['GET'] }] : [])],
    routes: (app, _metrics, accessTokens) =>
      kycRoutes(app, {
        db: dataSource,
        processor,
        review,
        accessTokens,
        logger,
        apiCallers: config.KYC_API_CALLERS,
        documentCallers: config.GRAPH_CALLERS,
        devMailbox,
      }),
    workers: (metrics) =>
      config.KYC_WORKERS
        ? [
            createOutboxRelay({ dataSource, table: KYC_OUTBOX, bus: bus!, logger, metrics }),
            processor.createDispatcher({ metrics }),
            createRescreenWorker({ lists: sanctions, rescreen: (q, userId, screener) => processor.rescreen(q, userId, screener), db: dataSource, logger, metrics }),
            createDocumentRetentionWorker({ db: dataSource, objects: objectStore, retentionDays: config.KYC_DOCUMENT_RETENTION_DAYS, logger, metrics }),
            // Chains new audit entries about once a second; replicas take turns.
            createAuditSealer(dataSource, KYC_AUDIT_LOG, { logger, metrics }),
          ]
        : [],
    async close() {
      await simulated?.stop();
      if (bus && !deps.eventBus) await bus.close();
      if (!deps.revocations) await revocations.close();
      await kv?.close();
      await closeDataSource(dataSource);
    },
  });
  return { ...server, dataSource, sanctions, processor, notifier, protection, objectStore };
}
