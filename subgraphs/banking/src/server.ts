import fs from 'node:fs';
import path from 'node:path';
import {
  closeDataSource,
  createLogger,
  createAuditSealer,
  createOutboxRelay,
  createSubgraphServer,
  initializeDataSource,
  openEventBus,
  openSessionRevocations,
  type SessionRevocations,
  type AccessTokenVerifierOptions,
  type EventBus,
  type Logger,
  type MeridianServer,
} from '@meridian/platform';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import type { BankingConfig } from './config';
import { createBankingDataSource } from './data/data-source';
import { LEDGER_API_PREFIX, ledgerRoutes } from './internal/ledger-routes';
import { createResolvers } from './resolvers';
import { AccessAuditLog, BANKING_ACCESS_AUDIT_LOG } from './services/access-audit-log';
import { AccountAccess } from './services/account-access';
import { AccountService } from './services/account-service';
import { CustomerAccountService } from './services/customer-account-service';
import { createLedgerMetrics, LedgerService } from './ledger';
import { OwnTransferService } from './services/own-transfer-service';
import { TransactionHistory } from './services/transaction-history';
import { createSimulatedFxRateProvider } from './domain/fx';
import { createExpirySweeper } from './services/expiry-sweeper';
import { createLedgerVerification } from './services/ledger-verification';
import { FxService } from './services/fx-service';

/** What the banking server is built from. */
export interface BankingServerDeps {
  /** PostgreSQL URL (real or embedded). */
  databaseUrl: string;
  logger?: Logger;
  /** The list of ended sessions whose tokens are refused; default Redis when REDIS_URL is set, else one in memory. Not closed by banking when given. */
  revocations?: SessionRevocations;
  /** Where user access token keys come from; default identity's JWKS at IDENTITY_JWKS_URL. Tests pass a local key set. */
  accessTokenKeys?: AccessTokenVerifierOptions['keys'];
  /** Connection pool size; default 10. */
  poolSize?: number;
  /** Where ledger events are published; default Redis Streams when REDIS_URL is set, else in memory. */
  eventBus?: EventBus;
}

/** The banking server and the services it exposes to the embedded starter and tests. */
export interface BankingServer extends MeridianServer {
  dataSource: DataSource;
  accounts: AccountService;
  ledger: LedgerService;
  fx: FxService;
}

/** The SDL, read once; it is the source of truth for codegen and composition too. */
export const bankingTypeDefs = parse(fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/**
 * Builds banking: accounts, balances and transactions in the public graph at
 * /graphql, and the internal ledger API under /internal/ledger. Both need a
 * service token; users are known only from access tokens verified against
 * identity's keys.
 */
export async function createBankingServer(config: BankingConfig, deps: BankingServerDeps): Promise<BankingServer> {
  const logger = deps.logger ?? createLogger({ service: 'banking', level: config.LOG_LEVEL });
  const dataSource = createBankingDataSource(deps.databaseUrl, deps.poolSize, {
    lockTimeoutMs: config.LEDGER_LOCK_TIMEOUT_MS,
    statementTimeoutMs: config.LEDGER_STATEMENT_TIMEOUT_MS,
  });
  await initializeDataSource(dataSource, config.MIGRATE_ON_START ?? !config.DATABASE_URL);

  const accounts = new AccountService(dataSource);
  // Made before the server, whose registry they join once it exists.
  const ledgerMetrics = createLedgerMetrics();
  const ledger = new LedgerService(dataSource, { metrics: ledgerMetrics });
  const access = new AccountAccess(new AccessAuditLog(dataSource));
  const services = {
    accounts,
    access,
    history: new TransactionHistory(dataSource),
    customerAccounts: new CustomerAccountService(accounts, access),
    ownTransfers: new OwnTransferService(accounts, ledger, access),
    transfers: (ids: readonly string[]) => ledger.getTransfers(ids),
  };

  // Background work: publish the outbox and release timed-out holds. Every process may run
  // them; both lock what they take (SKIP LOCKED / row locks), so nothing is done twice.
  const bus = config.LEDGER_WORKERS ? (deps.eventBus ?? (await openEventBus(config, { logger }))) : undefined;
  const revocations = deps.revocations ?? (await openSessionRevocations(config, { logger }));
  const server = await createSubgraphServer(config, {
    name: 'banking',
    logger,
    typeDefs: bankingTypeDefs,
    resolvers: createResolvers(services),
    accessTokenKeys: deps.accessTokenKeys,
    revocations,
    // Every banking mutation moves or commits money: none runs while signed-out tokens cannot be told apart.
    failClosedMutations: true,
    database: dataSource,
    // The internal ledger API, open only to LEDGER_API_CALLERS (its GET routes also to LEDGER_READ_CALLERS).
    routes: async (app) => {
      await app.register(ledgerRoutes, { prefix: LEDGER_API_PREFIX, ledger, accounts, logger, callers: config.LEDGER_API_CALLERS, readers: config.LEDGER_READ_CALLERS });
    },
    workers: (metrics) => {
      ledgerMetrics.register(metrics.registry);
      const verifyEvery = config.LEDGER_WORKERS ? config.LEDGER_VERIFY_INTERVAL_MINUTES * 60_000 : 0;
      return [
        ...(bus ? [createOutboxRelay({ dataSource, table: 'banking.outbox', bus, logger, metrics })] : []),
        ...(config.LEDGER_WORKERS ? [createExpirySweeper({ ledger, logger, metrics })] : []),
        // Chains new staff-read entries about once a second; replicas take turns.
        ...(config.LEDGER_WORKERS ? [createAuditSealer(dataSource, BANKING_ACCESS_AUDIT_LOG, { logger, metrics })] : []),
        ...(verifyEvery > 0 ? [createLedgerVerification({ dataSource, metrics, logger, intervalMs: verifyEvery })] : []),
      ];
    },
    async close() {
      if (bus && !deps.eventBus) await bus.close();
      if (!deps.revocations) await revocations.close();
      await closeDataSource(dataSource);
    },
  });

  return {
    ...server,
    dataSource,
    accounts,
    ledger,
    fx: new FxService(dataSource, ledger, accounts, { provider: createSimulatedFxRateProvider() }),
  };
}
