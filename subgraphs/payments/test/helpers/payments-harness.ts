import { randomUUID } from 'node:crypto';
import { createBankingServer, loadBankingConfig, type BankingServer } from '@meridian/banking';
import { createIdentityServer, loadIdentityConfig, scopesFor, type IdentityServer } from '@meridian/identity';
import {
  createKeySet,
  createMemoryEventBus,
  createMemoryKeyValueStore,
  generateWebhookSecret,
  generatePrivateJwk,
  issueAccessToken,
  localKeyResolver,
  SERVICE_TOKEN_HEADER,
  type CurrencyCode,
  type EventBus,
  type KeySet,
  type Logger,
  type Role,
} from '@meridian/platform';
import { createTestDatabase, createTestServiceKeys, injectFetch, type TestDatabase, type TestServiceKeys } from '@meridian/platform/testing';
import { createPaymentsServer, loadPaymentsConfig, type PaymentsServer, type PaymentsServerDeps } from '../../src';
import { createSimulatedPaymentProvider, type SimulatedPaymentProvider } from '../../src/providers';
import type { FraudRuleOptions } from '../../src/domain/fraud-rules';
import type { KycTier } from '../../src/domain/limits';

/** A customer as the tests use them: identity's user, a signed access token, an account in banking. */
export interface Customer {
  id: string;
  email: string;
  token: string;
  roles: Role[];
}

/** Payments with the real banking and identity beside it, each on a database of its own, called in process. */
export interface PaymentsHarness {
  payments: PaymentsServer;
  banking: BankingServer;
  identity: IdentityServer;
  dbs: TestDatabase[];
  /** The in-process event bus payments publishes to and reads KYC's events from. */
  eventBus: EventBus;
  /** The service keys every server trusts: one per calling service. */
  serviceKeys: TestServiceKeys;
  /**
   * A registered customer with a token, at `tier` in payments' projection of KYC. The token is a password
   * sign-in's; with `mfa` it is a session that gave a second factor just now (amr `pwd otp mfa`), as after
   * `stepUp`, for adding payees and large payments.
   */
  customer(options?: { tier?: KycTier; roles?: Role[]; mfa?: boolean }): Promise<Customer>;
  /** The same customer with a token whose second factor is `ageSeconds` old (0: just stepped up). */
  steppedUp(customer: Customer, ageSeconds?: number): Promise<Customer>;
  /** Opens an account in banking for the customer, funded with `minor` units. */
  account(owner: Customer, currency?: CurrencyCode, minor?: bigint): Promise<string>;
  /** The posted and available balance of an account, in minor units. */
  balance(accountId: string): Promise<{ posted: bigint; available: bigint }>;
  gql<T = Record<string, any>>(query: string, variables: Record<string, unknown>, as: Customer, headers?: Record<string, string>): Promise<{ data?: T; errors?: any[] }>;
  /** Lets a test make banking unreachable for a while (`down`) or lose answers after banking acted (`loseAnswers`). */
  faults: { down: boolean; loseAnswers: number };
  /** The simulated payment provider, its webhook secret and the webhooks it sent. */
  provider: SimulatedPaymentProvider;
  webhookSecret: string;
  deliveries: { headers: Record<string, string>; body: string }[];
  /** Starts another payments server on the same database with its workers on, as a second replica; closed with the harness. */
  replica(): Promise<PaymentsServer>;
  close(): Promise<void>;
}

/** Starts payments, banking and identity for one test file. */
export async function startPayments(
  options: {
    fraudRules?: Partial<FraudRuleOptions>;
    logger?: Logger;
    /** Run the background work (the job queue's workers, the outbox relay); default off. */
    workers?: boolean;
    /** Run the simulated provider with webhooks delivered in process after `delayMs`; default the server's own. */
    providerDelayMs?: number;
  } = {},
): Promise<PaymentsHarness> {
  const dbs = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
  const [paymentsDb, bankingDb, identityDb] = dbs;
  const serviceKeys = await createTestServiceKeys();
  const userKeys: KeySet = await createKeySet([await generatePrivateJwk()]);
  const base = { ...process.env, MIGRATE_ON_START: 'true', ...serviceKeys.env() };
  const banking = await createBankingServer(loadBankingConfig(base), { databaseUrl: bankingDb.url, accessTokenKeys: localKeyResolver(userKeys.jwks()) });
  const identity = await createIdentityServer(loadIdentityConfig(base), { databaseUrl: identityDb.url });
  const faults = { down: false, loseAnswers: 0 };
  const bankingFetch = injectFetch(banking.app);
  const faulty: typeof fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    if (faults.down) throw new TypeError('fetch failed: connection refused');
    const res = await bankingFetch(input, init);
    if (faults.loseAnswers > 0) {
      faults.loseAnswers -= 1;
      throw new TypeError('fetch failed: socket hang up');
    }
    return res;
  }) as typeof fetch;
  const webhookSecret = generateWebhookSecret();
  const config = loadPaymentsConfig({ ...base, PAYMENTS_WORKERS: options.workers ? 'true' : 'false', PAYMENTS_WEBHOOK_SECRETS: webhookSecret });
  // The simulated provider answers by webhook into this payments server, in process.
  const deliveries: { headers: Record<string, string>; body: string }[] = [];
  let payments: PaymentsServer;
  const provider = createSimulatedPaymentProvider({
    store: createMemoryKeyValueStore(),
    secret: webhookSecret,
    delayMs: options.providerDelayMs ?? 200,
    retry: { attempts: 3, baseMs: 50 },
    deliver: async ({ headers, body }) => {
      deliveries.push({ headers, body });
      const res = await payments.app.inject({ method: 'POST', url: '/webhooks/payments', headers: { 'content-type': 'application/json', ...headers }, payload: body });
      return { status: res.statusCode };
    },
  });
  const replicas: PaymentsServer[] = [];
  const eventBus = createMemoryEventBus();
  const serverDeps = (): PaymentsServerDeps => ({
    provider,
    jobPollingSeconds: 0.5,
    databaseUrl: paymentsDb.url,
    accessTokenKeys: localKeyResolver(userKeys.jwks()),
    serviceToken: serviceKeys.issuerFor('payments'),
    fetch: {
      banking: faulty,
      identity: injectFetch(identity.app),
      kyc: async () => Response.json({ tier: 'TIER_0', updatedAt: null }),
    },
    eventBus,
    fraudRules: options.fraudRules,
    logger: options.logger,
  });
  payments = await createPaymentsServer(config, serverDeps());

  /** A token as identity signs it: after a password only (`mfaAgeSeconds` null), or a second factor that many seconds ago. */
  const tokenFor = async (userId: string, roles: Role[], mfaAgeSeconds: number | null) =>
    (
      await issueAccessToken(
        userKeys,
        { issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE },
        {
          userId,
          sessionId: randomUUID(),
          roles,
          scopes: scopesFor(roles),
          ttlSeconds: 600,
          ...(mfaAgeSeconds === null ? {} : { amr: ['pwd', 'otp', 'mfa'], authTime: new Date(Date.now() - mfaAgeSeconds * 1000) }),
        },
      )
    ).token;
  return {
    payments,
    banking,
    identity,
    dbs,
    serviceKeys,
    eventBus,
    faults,
    provider,
    webhookSecret,
    deliveries,
    async customer({ tier = 'TIER_1', roles = ['CUSTOMER'] as Role[], mfa = false } = {}) {
      const email = `customer-${randomUUID()}@example.com`;
      const user = await identity.accounts.register(
        { email, password: 'a long and unusual passphrase 7', displayName: `Customer ${email.slice(9, 13)}` },
        { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' },
        roles,
      );
      await payments.tiers.apply(payments.dataSource, user.id, tier, new Date());
      const token = await tokenFor(user.id, roles, mfa ? 0 : null);
      return { id: user.id, email, token, roles };
    },
    async steppedUp(customer, ageSeconds = 0) {
      return { ...customer, token: await tokenFor(customer.id, customer.roles, ageSeconds) };
    },
    async account(owner, currency = 'GBP', minor = 0n) {
      const account = await banking.accounts.openAccount({ ownerId: owner.id, type: 'CURRENT', currency });
      if (minor > 0n) {
        const clearing = await banking.accounts.systemAccount('CLEARING', currency);
        await banking.ledger.createTransfer({
          id: randomUUID(),
          code: 'DEPOSIT',
          description: 'Test deposit',
          postings: [
            { accountId: clearing.id, direction: 'DEBIT', amount: minor, currency },
            { accountId: account.id, direction: 'CREDIT', amount: minor, currency },
          ],
        });
      }
      return account.id;
    },
    async balance(accountId) {
      const [a] = await banking.accounts.findByIds([accountId]);
      const posted = a!.creditsPosted - a!.debitsPosted;
      return { posted, available: posted - a!.debitsPending };
    },
    async gql(query, variables, as, headers = {}) {
      const res = await payments.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: {
          'content-type': 'application/json',
          [SERVICE_TOKEN_HEADER]: await serviceKeys.issuerFor('gateway')('payments'),
          authorization: `Bearer ${as.token}`,
          ...headers,
        },
        payload: { query, variables },
      });
      return JSON.parse(res.body);
    },
    async replica() {
      // Another payments process on the same database, working the job queue.
      const replica = await createPaymentsServer({ ...config, PAYMENTS_WORKERS: true }, serverDeps());
      replicas.push(replica);
      return replica;
    },
    async close() {
      await provider.stop();
      for (const replica of replicas) await replica.close();
      await payments.close();
      await banking.close();
      await identity.close();
      await Promise.all(dbs.map((db) => db.drop()));
    },
  };
}
