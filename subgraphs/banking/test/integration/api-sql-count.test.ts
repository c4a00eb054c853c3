import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { AccountRecord } from '../../src';
import { startBanking, type BankingHarness, type GqlResponse, type TestUser } from '../helpers/api-harness';

// A query for N accounts with balances and their last 10 transactions must issue the
// same number of SQL statements whatever N is: the DataLoaders batch each kind of
// look-up into one statement per request.
let h: BankingHarness;
beforeAll(async () => {
  h = await startBanking();
});
afterAll(() => h.close());

const TRANSFERS_PER_ACCOUNT = 12;

/** A user with `n` EUR accounts, each credited TRANSFERS_PER_ACCOUNT times (one batched transfer per round). */
async function userWithAccounts(n: number): Promise<{ user: TestUser; accounts: AccountRecord[] }> {
  const user = await h.user();
  const accounts: AccountRecord[] = [];
  for (let i = 0; i < n; i++) accounts.push(await h.server.accounts.openAccount({ ownerId: user.id, type: 'CURRENT', currency: 'EUR' }));
  const clearing = await h.server.accounts.systemAccount('CLEARING', 'EUR');
  for (let round = 1; round <= TRANSFERS_PER_ACCOUNT; round++) {
    await h.server.ledger.createTransfer({
      id: randomUUID(),
      code: 'SALARY',
      postings: [
        { accountId: clearing.id, direction: 'DEBIT', amount: BigInt(round * 100 * n), currency: 'EUR' },
        ...accounts.map((a) => ({ accountId: a.id, direction: 'CREDIT' as const, amount: BigInt(round * 100), currency: 'EUR' as const })),
      ],
    });
  }
  return { user, accounts };
}

/** Every SQL statement sent to PostgreSQL while `run` runs. */
async function statementsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const spy = jest.spyOn(Client.prototype, 'query');
  try {
    await run();
    return spy.mock.calls.map(([sql]) => (typeof sql === 'string' ? sql : (sql as { text: string }).text).replace(/\s+/g, ' ').slice(0, 80));
  } finally {
    spy.mockRestore();
  }
}

const ACCOUNT_PAGE = `
  id number
  balance { posted { amount currency } pending { amount } available { amount } }
  transactions(first: 10) {
    edges { cursor node { id direction amount { amount currency } balanceAfter { amount } status code createdAt } }
    pageInfo { hasNextPage endCursor }
  }
`;
const USERS_ACCOUNTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { accounts { ${ACCOUNT_PAGE} } } } }`;
const ACCOUNT_ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { ${ACCOUNT_PAGE} } } }`;

describe('SQL statements per request', () => {
  let small: Awaited<ReturnType<typeof userWithAccounts>>;
  let large: Awaited<ReturnType<typeof userWithAccounts>>;
  beforeAll(async () => {
    small = await userWithAccounts(5);
    large = await userWithAccounts(50);
  });

  it('is the same for 5 and for 50 accounts with balances and their last 10 transactions (User.accounts)', async () => {
    const run = async ({ user }: typeof small, expected: number) => {
      let res: GqlResponse | undefined;
      const statements = await statementsDuring(async () => {
        res = await h.gql(USERS_ACCOUNTS, { r: [{ __typename: 'User', id: user.id }] }, { user });
      });
      expect(res!.errors).toBeUndefined();
      const accounts = res!.data!._entities[0].accounts;
      expect(accounts).toHaveLength(expected);
      for (const account of accounts) {
        expect(account.balance.posted.amount).toBe('78.00');
        expect(account.transactions.edges).toHaveLength(10);
        expect(account.transactions.edges[0].node.balanceAfter.amount).toBe('78.00');
        expect(account.transactions.pageInfo.hasNextPage).toBe(true);
      }
      return statements;
    };
    const five = await run(small, 5);
    const fifty = await run(large, 50);
    expect(fifty).toEqual(five);
    // accounts of the owner, then one page query for every account
    expect(five).toHaveLength(2);
  });

  it('is the same for 5 and for 50 Account references from the gateway', async () => {
    const run = async ({ user, accounts }: typeof small) => {
      let res: GqlResponse | undefined;
      const statements = await statementsDuring(async () => {
        res = await h.gql(ACCOUNT_ENTITIES, { r: accounts.map((a) => ({ __typename: 'Account', id: a.id })) }, { user });
      });
      expect(res!.errors).toBeUndefined();
      expect(res!.data!._entities.map((a: { id: string }) => a.id)).toEqual(accounts.map((a) => a.id));
      expect(res!.data!._entities.every((a: { transactions: { edges: unknown[] } }) => a.transactions.edges.length === 10)).toBe(true);
      return statements;
    };
    const five = await run(small);
    const fifty = await run(large);
    expect(fifty).toEqual(five);
    expect(five).toHaveLength(2);
  });

  it('adds one audit statement, not one per account, when staff read 50 accounts', async () => {
    const support = await h.user(['SUPPORT']);
    const before = await h.count('access_audit');
    const statements = await statementsDuring(() =>
      h.gql(USERS_ACCOUNTS, { r: [{ __typename: 'User', id: large.user.id }] }, { user: support }),
    );
    expect(await h.count('access_audit')).toBe(before + 50);
    expect(statements.filter((s) => s.includes('access_audit'))).toHaveLength(1);
    expect(statements).toHaveLength(3);
  });
});
