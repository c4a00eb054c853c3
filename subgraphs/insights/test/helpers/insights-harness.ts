import { randomBytes, randomUUID } from 'node:crypto';
import { createBankingServer, loadBankingConfig, type BankingServer } from '@meridian/banking';
import { scopesFor } from '@meridian/identity';
import {
  createKeySet,
  createMemoryEventBus,
  createOutboxRelay,
  createRedisEventBus,
  generatePrivateJwk,
  issueAccessToken,
  localKeyResolver,
  removeRedisKeys,
  SERVICE_TOKEN_HEADER,
  type CurrencyCode,
  type EventBus,
  type KeySet,
} from '@meridian/platform';
import { createTestDatabase, createTestServiceKeys, injectFetch, type TestDatabase, type TestServiceKeys } from '@meridian/platform/testing';
import { createInsightsServer, loadInsightsConfig, type InsightsServer } from '../../src';

/** A customer as the tests use them: an id and a signed access token. */
export interface Customer {
  id: string;
  token: string;
}

/** One card payment or other movement a test makes on the ledger. */
export interface Movement {
  description: string;
  /** Minor units; positive money in, negative money out. */
  amount: bigint;
  code?: string;
  mcc?: string;
  /** When the customer made it (the read model's day); default now. */
  at?: Date;
}

/** Insights with the real banking beside it, each on a database of its own, called in process. */
export interface InsightsHarness {
  insights: InsightsServer;
  banking: BankingServer;
  dbs: TestDatabase[];
  /** The bus banking publishes ledger events to and insights reads: Redis Streams when REDIS_URL is set (under a key prefix of the test's own), else in process. */
  eventBus: EventBus;
  serviceKeys: TestServiceKeys;
  /** A new customer and their token (the customer's scopes unless given). */
  customer(scopes?: string[]): Promise<Customer>;
  account(owner: Customer, currency?: CurrencyCode, type?: 'CURRENT' | 'SAVINGS' | 'WALLET'): Promise<string>;
  /** Moves money on an account against the bank's clearing account, as a card network or a sender would; answers the transfer id. */
  move(accountId: string, m: Movement): Promise<string>;
  /** Publishes banking's outbox (every event written so far) to the bus. */
  publish(): Promise<number>;
  /** Waits until insights has applied every published ledger event (its group has nothing pending or undelivered). */
  settle(): Promise<void>;
  gql<T = Record<string, any>>(query: string, variables: Record<string, unknown>, as: Customer): Promise<{ data?: T; errors?: any[] }>;
  close(): Promise<void>;
}

/** Starts insights and banking for one test file; `today` fixes insights' clock. */
export async function startInsights(options: { today?: Date; workers?: boolean } = {}): Promise<InsightsHarness> {
  const dbs = await Promise.all([createTestDatabase(), createTestDatabase()]);
  const [insightsDb, bankingDb] = dbs;
  const serviceKeys = await createTestServiceKeys();
  const userKeys: KeySet = await createKeySet([await generatePrivateJwk()]);
  const base = { ...process.env, MIGRATE_ON_START: 'true', ...serviceKeys.env() };
  const redisPrefix = `test:insights:${randomBytes(6).toString('hex')}:`;
  const eventBus = process.env.REDIS_URL ? await createRedisEventBus({ url: process.env.REDIS_URL, keyPrefix: redisPrefix, commandTimeoutMs: 5_000 }) : createMemoryEventBus();
  const banking = await createBankingServer(loadBankingConfig({ ...base, LEDGER_WORKERS: 'false' }), {
    databaseUrl: bankingDb.url,
    accessTokenKeys: localKeyResolver(userKeys.jwks()),
    eventBus,
  });
  const relay = createOutboxRelay({ table: 'banking.outbox', dataSource: banking.dataSource, bus: eventBus });
  const config = loadInsightsConfig({ ...base, INSIGHTS_WORKERS: options.workers === false ? 'false' : 'true', INSIGHTS_MAX_ATTEMPTS: '2' });
  const insights = await createInsightsServer(config, {
    databaseUrl: insightsDb.url,
    accessTokenKeys: localKeyResolver(userKeys.jwks()),
    serviceToken: serviceKeys.issuerFor('insights'),
    fetch: injectFetch(banking.app),
    eventBus,
    alertIntervalMs: 60_000,
    clock: options.today ? () => options.today! : undefined,
  });
  const clearing = new Map<string, string>();
  const clearingOf = async (currency: CurrencyCode) => {
    if (!clearing.has(currency)) clearing.set(currency, (await banking.accounts.systemAccount('CLEARING', currency)).id);
    return clearing.get(currency)!;
  };

  return {
    insights,
    banking,
    dbs,
    eventBus,
    serviceKeys,
    async customer(scopes = scopesFor(['CUSTOMER'])) {
      const id = randomUUID();
      const { token } = await issueAccessToken(
        userKeys,
        { issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE },
        { userId: id, sessionId: randomUUID(), roles: ['CUSTOMER'], scopes, ttlSeconds: 600 },
      );
      return { id, token };
    },
    async account(owner, currency = 'GBP', type = 'CURRENT') {
      return (await banking.accounts.openAccount({ ownerId: owner.id, type, currency })).id;
    },
    async move(accountId, m) {
      const [account] = await banking.accounts.findByIds([accountId]);
      const other = await clearingOf(account!.currency);
      const amount = m.amount < 0n ? -m.amount : m.amount;
      const [from, to] = m.amount < 0n ? [accountId, other] : [other, accountId];
      const id = randomUUID();
      await banking.ledger.createTransfer({
        id,
        code: m.code ?? (m.amount < 0n ? 'CARD_PAYMENT' : 'INCOMING_PAYMENT'),
        description: m.description,
        metadata: { ...(m.mcc ? { mcc: m.mcc } : {}), ...(m.at ? { transactedAt: m.at.toISOString() } : {}) },
        postings: [
          { accountId: from, direction: 'DEBIT', amount, currency: account!.currency },
          { accountId: to, direction: 'CREDIT', amount, currency: account!.currency },
        ],
      });
      return id;
    },
    publish: () => relay.drainOnce(),
    async settle() {
      for (const until = Date.now() + 20_000; ; ) {
        const published = await relay.drainOnce();
        const stats = await eventBus.groupStats('ledger.events', 'insights');
        if (published === 0 && stats && stats.lag === 0 && stats.pending === 0) return;
        if (Date.now() > until) throw new Error(`insights did not catch up: ${JSON.stringify(stats)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async gql(query, variables, as) {
      const res = await insights.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: {
          'content-type': 'application/json',
          [SERVICE_TOKEN_HEADER]: await serviceKeys.issuerFor('gateway')('insights'),
          authorization: `Bearer ${as.token}`,
        },
        payload: { query, variables },
      });
      return JSON.parse(res.body);
    },
    async close() {
      await insights.close();
      await banking.close();
      await eventBus.close();
      if (process.env.REDIS_URL) await removeRedisKeys(process.env.REDIS_URL, redisPrefix);
      await Promise.all(dbs.map((db) => db.drop()));
    },
  };
}

