import { randomUUID } from 'node:crypto';
import {
  ACCOUNT,
  CLOSE_ACCOUNT,
  OPEN_ACCOUNT,
  USER_ACCOUNTS,
  startBanking,
  type BankingHarness,
  type TestUser,
} from '../helpers/api-harness';

let h: BankingHarness;
beforeAll(async () => {
  h = await startBanking();
});
afterAll(() => h.close());

const userRef = (id: string) => [{ __typename: 'User', id }];
/** What staff read of a customer's accounts (not the owner: they came from the customer). */
const STAFF_VIEW = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { accounts { id number balance { available { amount } } } } } }`;

describe('opening, listing and closing accounts', () => {
  let alice: TestUser;
  beforeAll(async () => {
    alice = await h.user();
  });

  it('opens current, savings and wallet accounts in any supported currency', async () => {
    const current = await h.gql(OPEN_ACCOUNT, { input: { type: 'CURRENT', currency: 'EUR' } }, { user: alice });
    expect(current.errors).toBeUndefined();
    expect(current.data!.openAccount).toMatchObject({
      type: 'CURRENT',
      currency: 'EUR',
      name: 'Current account',
      status: 'ACTIVE',
      closedAt: null,
      overdraftLimit: { amount: '0.00', currency: 'EUR' },
      owner: { id: alice.id },
      balance: {
        posted: { amount: '0.00', currency: 'EUR' },
        pending: { amount: '0.00', currency: 'EUR' },
        available: { amount: '0.00', currency: 'EUR' },
      },
    });
    expect(current.data!.openAccount.number).toMatch(/^\d{13}$/);
    const savings = await h.gql(OPEN_ACCOUNT, { input: { type: 'SAVINGS', currency: 'JPY', name: ' Holiday fund ' } }, { user: alice });
    expect(savings.data!.openAccount).toMatchObject({ type: 'SAVINGS', name: 'Holiday fund', balance: { posted: { amount: '0' } } });
    const wallet = await h.gql(OPEN_ACCOUNT, { input: { type: 'WALLET', currency: 'GBP' } }, { user: alice });
    expect(wallet.data!.openAccount).toMatchObject({ type: 'WALLET', currency: 'GBP' });

    const list = await h.gql(USER_ACCOUNTS, { r: userRef(alice.id) }, { user: alice });
    expect(list.errors).toBeUndefined();
    expect(list.data!._entities[0].accounts.map((a: { type: string }) => a.type)).toEqual(['CURRENT', 'SAVINGS', 'WALLET']);
  });

  it('refuses a loan (FORBIDDEN) and a bad name (BAD_USER_INPUT), writing nothing', async () => {
    const before = await h.count('accounts');
    const loan = await h.gql(OPEN_ACCOUNT, { input: { type: 'LOAN', currency: 'EUR' } }, { user: alice });
    expect(loan.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const badName = await h.gql(OPEN_ACCOUNT, { input: { type: 'CURRENT', currency: 'EUR', name: 'x'.repeat(61) } }, { user: alice });
    expect(badName.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const control = await h.gql(OPEN_ACCOUNT, { input: { type: 'CURRENT', currency: 'EUR', name: 'a\u202eb' } }, { user: alice });
    expect(control.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const currency = await h.gql(OPEN_ACCOUNT, { input: { type: 'CURRENT', currency: 'CHF' } }, { user: alice });
    expect(currency.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await h.count('accounts')).toBe(before);
  });

  it('refuses every operation without a valid user token', async () => {
    const before = await h.count('accounts');
    const anonymous = await h.gql(OPEN_ACCOUNT, { input: { type: 'CURRENT', currency: 'EUR' } });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await h.gql(OPEN_ACCOUNT, { input: { type: 'CURRENT', currency: 'EUR' } }, { user: { id: alice.id, token: `${alice.token}x` } });
    expect(forged.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const read = await h.gql(USER_ACCOUNTS, { r: userRef(alice.id) });
    expect(read.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await h.count('accounts')).toBe(before);
  });

  it('refuses a token without accounts:write, naming the field, and opens nothing', async () => {
    const before = await h.count('accounts');
    const readOnly = await h.user(['CUSTOMER'], ['profile:read', 'accounts:read']);
    const res = await h.gql(OPEN_ACCOUNT, { input: { type: 'CURRENT', currency: 'EUR' } }, { user: readOnly });
    expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.openAccount'] });
    expect(await h.count('accounts')).toBe(before);
  });

  it('closes an account only at a zero balance, and lists closed accounts only when asked', async () => {
    const bob = await h.user();
    const empty = await h.account(bob.id, 'USD');
    const funded = await h.account(bob.id, 'USD', 500n);

    const refused = await h.gql(CLOSE_ACCOUNT, { id: funded.id }, { user: bob });
    expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await h.server.accounts.findByIds([funded.id]))[0]!.status).toBe('ACTIVE');

    const closed = await h.gql(CLOSE_ACCOUNT, { id: empty.id }, { user: bob });
    expect(closed.errors).toBeUndefined();
    expect(closed.data!.closeAccount).toMatchObject({ id: empty.id, status: 'CLOSED' });
    expect(closed.data!.closeAccount.closedAt).toEqual(expect.any(String));

    const again = await h.gql(CLOSE_ACCOUNT, { id: empty.id }, { user: bob });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');

    const open = await h.gql(USER_ACCOUNTS, { r: userRef(bob.id) }, { user: bob });
    expect(open.data!._entities[0].accounts.map((a: { id: string }) => a.id)).toEqual([funded.id]);
    const all = await h.gql(USER_ACCOUNTS, { r: userRef(bob.id), includeClosed: true }, { user: bob });
    expect(all.data!._entities[0].accounts.map((a: { id: string }) => a.id)).toEqual([empty.id, funded.id]);
  });
});

describe('who may see an account', () => {
  let owner: TestUser;
  let stranger: TestUser;
  let accountId: string;
  beforeAll(async () => {
    owner = await h.user();
    stranger = await h.user();
    accountId = (await h.account(owner.id, 'EUR', 12_345n)).id;
  });

  it('shows the owner their account with its balances', async () => {
    const res = await h.gql(ACCOUNT, { id: accountId }, { user: owner });
    expect(res.errors).toBeUndefined();
    expect(res.data!.account.balance.posted).toEqual({ amount: '123.45', currency: 'EUR' });
  });

  it('answers NOT_FOUND alike for someone else’s account and for one that does not exist', async () => {
    const other = await h.gql(ACCOUNT, { id: accountId }, { user: stranger });
    const missing = await h.gql(ACCOUNT, { id: randomUUID() }, { user: stranger });
    const malformed = await h.gql(ACCOUNT, { id: 'not-a-uuid' }, { user: stranger });
    for (const res of [other, missing, malformed]) {
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(res.errors?.[0].message).toBe('Account not found.');
      expect(res.data?.account ?? null).toBeNull();
    }
  });

  it('refuses a stranger the owner’s account list, and closing the owner’s account, writing nothing', async () => {
    const list = await h.gql(USER_ACCOUNTS, { r: userRef(owner.id) }, { user: stranger });
    expect(list.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const close = await h.gql(CLOSE_ACCOUNT, { id: accountId }, { user: stranger });
    expect(close.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await h.server.accounts.findByIds([accountId]))[0]!.status).toBe('ACTIVE');
  });

  it('resolves Account references only for those who may read them', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { id number } } }`;
    const r = [{ __typename: 'Account', id: accountId }];
    expect((await h.gql(query, { r }, { user: owner })).data!._entities).toEqual([{ id: accountId, number: expect.any(String) }]);
    expect((await h.gql(query, { r }, { user: stranger })).data!._entities).toEqual([null]);
  });

  it('lets staff who looked the customer up (customers:read) read their accounts, auditing every read with staff, account, operation and request id', async () => {
    const support = await h.user(['SUPPORT']);
    const before = await h.count('access_audit');
    const requestId = `req-${randomUUID()}`;
    const list = await h.gql(STAFF_VIEW, { r: userRef(owner.id) }, { user: support, headers: { 'x-request-id': requestId } });
    expect(list.errors).toBeUndefined();
    expect(list.data!._entities[0].accounts.map((a: { id: string }) => a.id)).toEqual([accountId]);
    expect(await h.count('access_audit')).toBe(before + 1);
    const rows: Record<string, unknown>[] = await h.server.dataSource.query(
      `SELECT staff_user_id, account_id, operation, request_id FROM banking.access_audit WHERE staff_user_id = $1 ORDER BY id`,
      [support.id],
    );
    expect(rows).toEqual([{ staff_user_id: support.id, account_id: accountId, operation: 'User.accounts', request_id: requestId }]);
    // Every staff role holds customers:read.
    for (const role of ['COMPLIANCE', 'ADMIN'] as const) {
      const staff = await h.user([role]);
      expect((await h.gql(STAFF_VIEW, { r: userRef(owner.id) }, { user: staff })).data!._entities[0].accounts).toHaveLength(1);
    }
    // From an account staff never go on to its owner: a customer is reached only through identity's audited lookup.
    const onward = await h.gql(USER_ACCOUNTS, { r: userRef(owner.id) }, { user: support });
    expect(onward.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', fields: ['Account.owner'] }]);
  });

  it('keeps account(id) for customers: staff are refused by the schema’s scopes before anything is read or audited', async () => {
    const before = await h.count('access_audit');
    for (const role of ['SUPPORT', 'COMPLIANCE', 'ADMIN'] as const) {
      const res = await h.gql(ACCOUNT, { id: accountId }, { user: await h.user([role]) });
      expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Query.account'] });
      expect(res.data?.account ?? null).toBeNull();
    }
    expect(await h.count('access_audit')).toBe(before);
  });

  it('refuses a token without the customer scopes or customers:read, writing no audit row', async () => {
    const narrow = await h.user(['CUSTOMER'], ['profile:read']);
    const before = await h.count('access_audit');
    expect((await h.gql(ACCOUNT, { id: accountId }, { user: narrow })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await h.gql(USER_ACCOUNTS, { r: userRef(owner.id) }, { user: narrow })).errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['User.accounts'] });
    expect(await h.count('access_audit')).toBe(before);
  });

  it('refuses staff every write: the schema asks for accounts:write, which no staff role holds', async () => {
    const support = await h.user(['SUPPORT']);
    const res = await h.gql(CLOSE_ACCOUNT, { id: accountId }, { user: support });
    expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Mutation.closeAccount'] });
    expect((await h.server.accounts.findByIds([accountId]))[0]!.status).toBe('ACTIVE');
  });

  it('never shows a system account, even to staff', async () => {
    const clearing = await h.server.accounts.systemAccount('CLEARING', 'EUR');
    const support = await h.user(['SUPPORT']);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { id } } }`;
    expect((await h.gql(query, { r: [{ __typename: 'Account', id: clearing.id }] }, { user: support })).data!._entities).toEqual([null]);
  });
});

describe('the /graphql endpoint', () => {
  it('refuses a call without a service token, or with one for another service', async () => {
    const user = await h.user();
    const none = await h.gql(ACCOUNT, { id: randomUUID() }, { user, serviceToken: null });
    expect(none.status).toBe(401);
    const wrong = await h.gql(ACCOUNT, { id: randomUUID() }, { user, serviceToken: await h.serviceTokenAs('gateway')('identity') });
    expect(wrong.status).toBe(401);
  });
});
