import { randomUUID } from 'node:crypto';
import { scopesFor } from '@meridian/identity';
import {
  createKeySet,
  generatePrivateJwk,
  issueAccessToken,
  localKeyResolver,
  SERVICE_TOKEN_HEADER,
  type KeySet,
  type Role,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { createTestDatabase, createTestServiceKeys, type TestDatabase, type TestServiceKeys } from '@meridian/platform/testing';
import { createBankingServer, loadBankingConfig, type AccountRecord, type BankingConfig, type BankingServer, type CurrencyCode } from '../../src';

/** A GraphQL response as the tests read it. */
export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** A JSON response of the internal ledger API. */
export interface JsonResponse {
  status: number;
  body: any;
}

/** A signed-in user as the tests use them. */
export interface TestUser {
  id: string;
  token: string;
}

/** Banking on a database of its own, called in-process with a gateway service token and test-signed user tokens. */
export interface BankingHarness {
  server: BankingServer;
  config: BankingConfig;
  db: TestDatabase;
  /** Signs user access tokens; the server trusts exactly these keys. */
  userKeys: KeySet;
  /** Mints service tokens as any service. */
  /** Issues service tokens as `service`, signed with that service's own key. */
  serviceTokenAs(service: string): ServiceTokenIssuer;
  /** The service keys banking trusts: one per calling service. */
  serviceKeys: TestServiceKeys;
  /** A new user with a valid access token (customer unless roles say otherwise). */
  user(roles?: Role[], scopes?: string[]): Promise<TestUser>;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { user?: TestUser; serviceToken?: string | null; headers?: Record<string, string> },
  ): Promise<GqlResponse<T>>;
  /** Calls the internal ledger API as `caller` (default payments); null sends no service token. */
  internal(method: 'GET' | 'POST', url: string, body?: unknown, options?: { caller?: string | null; audience?: string }): Promise<JsonResponse>;
  /** Opens an account for `ownerId` directly through the service and funds it from the clearing account. */
  account(ownerId: string, currency?: CurrencyCode, minorUnits?: bigint, type?: 'CURRENT' | 'SAVINGS' | 'WALLET'): Promise<AccountRecord>;
  /** Moves money from the clearing account into an account. */
  fund(accountId: string, currency: CurrencyCode, minorUnits: bigint): Promise<void>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/** Scopes identity gives a user with these roles. */
export { scopesFor } from '@meridian/identity';

/** Starts banking for one test file. */
export async function startBanking(env: Record<string, string> = {}): Promise<BankingHarness> {
  const db = await createTestDatabase();
  const serviceKeys = await createTestServiceKeys();
  const config = loadBankingConfig({ ...process.env, MIGRATE_ON_START: 'true', ...serviceKeys.env(), ...env });
  const userKeys = await createKeySet([await generatePrivateJwk()]);
  const server = await createBankingServer(config, { databaseUrl: db.url, accessTokenKeys: localKeyResolver(userKeys.jwks()) });
  const serviceTokenAs = (service: string) => serviceKeys.issuerFor(service);
  const fund = async (accountId: string, currency: CurrencyCode, minorUnits: bigint) => {
    const clearing = await server.accounts.systemAccount('CLEARING', currency);
    await server.ledger.createTransfer({
      id: randomUUID(),
      code: 'DEPOSIT',
      description: 'Test deposit',
      postings: [
        { accountId: clearing.id, direction: 'DEBIT', amount: minorUnits, currency },
        { accountId, direction: 'CREDIT', amount: minorUnits, currency },
      ],
    });
  };

  return {
    server,
    config,
    db,
    userKeys,
    serviceTokenAs,
    serviceKeys,
    async user(roles = ['CUSTOMER'], scopes = scopesFor(roles)) {
      const id = randomUUID();
      const { token } = await issueAccessToken(
        userKeys,
        { issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE },
        { userId: id, sessionId: randomUUID(), roles, scopes, ttlSeconds: 600 },
      );
      return { id, token };
    },
    async gql(query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.serviceToken !== null) headers[SERVICE_TOKEN_HEADER] = options.serviceToken ?? (await serviceTokenAs('gateway')('banking'));
      if (options.user) headers.authorization = `Bearer ${options.user.token}`;
      const res = await server.app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
      return { status: res.statusCode, ...(JSON.parse(res.body) as object) };
    },
    async internal(method, url, body, options = {}) {
      const headers: Record<string, string> = {};
      const caller = options.caller === undefined ? 'payments' : options.caller;
      if (caller !== null) headers[SERVICE_TOKEN_HEADER] = await serviceTokenAs(caller)(options.audience ?? 'banking');
      const res = await server.app.inject({
        method,
        url,
        headers,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
    async account(ownerId, currency = 'EUR', minorUnits = 0n, type = 'CURRENT') {
      const account = await server.accounts.openAccount({ ownerId, type, currency });
      if (minorUnits > 0n) await fund(account.id, currency, minorUnits);
      return (await server.accounts.findByIds([account.id]))[0]!;
    },
    fund,
    async count(table) {
      const rows = (await server.dataSource.query(`SELECT count(*)::int AS n FROM banking.${table}`)) as { n: number }[];
      return rows[0].n;
    },
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** A body for the internal ledger API's POST /transfers: `amount` EUR from one account to another, with a fresh id. */
export function ledgerTransferBody<T extends Record<string, unknown>>(from: string, to: string, amount: string, overrides: T = {} as T) {
  const base = {
    id: randomUUID(),
    code: 'CARD_PAYMENT',
    description: 'Coffee',
    postings: [
      { accountId: from, direction: 'DEBIT', amount, currency: 'EUR' },
      { accountId: to, direction: 'CREDIT', amount, currency: 'EUR' },
    ],
  };
  return { ...base, ...overrides };
}

/** Everything a money-moving request could write, to prove a refusal wrote nothing. */
export async function ledgerFootprint(h: BankingHarness, accountIds: string[]) {
  const balances = await h.server.accounts.findByIds(accountIds);
  return {
    transfers: await h.count('transfers'),
    postings: await h.count('postings'),
    outbox: await h.count('outbox'),
    counters: balances.map((a) => [a!.debitsPosted, a!.creditsPosted, a!.debitsPending, a!.creditsPending].join('/')),
  };
}

export const ACCOUNT_FIELDS = /* GraphQL */ `
  id number type currency name status openedAt closedAt
  overdraftLimit { amount currency }
  owner { id }
  balance { posted { amount currency } pending { amount currency } available { amount currency } }
`;
export const OPEN_ACCOUNT = /* GraphQL */ `
  mutation Open($input: OpenAccountInput!) { openAccount(input: $input) { ${ACCOUNT_FIELDS} } }
`;
export const CLOSE_ACCOUNT = /* GraphQL */ `
  mutation Close($id: ID!) { closeAccount(id: $id) { id status closedAt } }
`;
export const ACCOUNT = /* GraphQL */ `
  query Account($id: ID!) { account(id: $id) { ${ACCOUNT_FIELDS} } }
`;
export const USER_ACCOUNTS = /* GraphQL */ `
  query UserAccounts($r: [_Any!]!, $includeClosed: Boolean) {
    _entities(representations: $r) { ... on User { id accounts(includeClosed: $includeClosed) { ${ACCOUNT_FIELDS} } } }
  }
`;
export const OWN_TRANSFER = /* GraphQL */ `
  mutation Move($input: OwnTransferInput!) {
    transferBetweenOwnAccounts(input: $input) {
      id status code description createdAt
      amount { amount currency }
      fromAccount { id balance { posted { amount } } }
      toAccount { id balance { posted { amount } } }
    }
  }
`;
export const TRANSACTIONS = /* GraphQL */ `
  query Transactions($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime, $search: String) {
    account(id: $id) {
      transactions(first: $first, after: $after, from: $from, to: $to, search: $search) {
        edges { cursor node { id transferId direction amount { amount currency } balanceAfter { amount } status code description createdAt } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`;
