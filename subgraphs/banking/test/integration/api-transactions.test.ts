import { randomUUID } from 'node:crypto';
import type { AccountRecord } from '../../src';
import { startBanking, TRANSACTIONS, type BankingHarness, type TestUser } from '../helpers/api-harness';

let h: BankingHarness;
let alice: TestUser;
beforeAll(async () => {
  h = await startBanking();
  alice = await h.user();
});
afterAll(() => h.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Moves `minor` cents from one EUR account to another through the ledger. */
async function move(from: AccountRecord, to: AccountRecord, minor: bigint, extra: { pendingTimeoutSeconds?: number; description?: string } = {}) {
  return h.server.ledger.createTransfer({
    id: randomUUID(),
    code: 'TRANSFER',
    description: extra.description ?? `move ${minor}`,
    pendingTimeoutSeconds: extra.pendingTimeoutSeconds,
    postings: [
      { accountId: from.id, direction: 'DEBIT', amount: minor, currency: 'EUR' },
      { accountId: to.id, direction: 'CREDIT', amount: minor, currency: 'EUR' },
    ],
  });
}

async function page(id: string, args: Record<string, unknown> = {}, user = alice) {
  const res = await h.gql(TRANSACTIONS, { id, ...args }, { user });
  if (res.errors) return { errors: res.errors } as const;
  return res.data!.account.transactions as {
    edges: { cursor: string; node: Record<string, any> }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

describe('Account.transactions', () => {
  let source: AccountRecord;
  let target: AccountRecord;
  beforeAll(async () => {
    source = await h.account(alice.id, 'EUR', 1_000_00n);
    target = await h.account(alice.id, 'EUR');
    for (let i = 1; i <= 7; i++) await move(source, target, BigInt(i * 100));
  });

  it('pages newest first with cursors that stay valid when new transactions arrive', async () => {
    const first = await page(target.id, { first: 3 });
    if ('errors' in first) throw new Error(JSON.stringify(first.errors));
    expect(first.edges.map((e) => e.node.amount.amount)).toEqual(['7.00', '6.00', '5.00']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0].cursor, endCursor: first.edges[2].cursor });

    // Two transfers arrive between the pages: the next page still continues exactly where the first ended.
    await move(source, target, 800n);
    await move(source, target, 900n);

    const second = await page(target.id, { first: 3, after: first.pageInfo.endCursor });
    if ('errors' in second) throw new Error(JSON.stringify(second.errors));
    expect(second.edges.map((e) => e.node.amount.amount)).toEqual(['4.00', '3.00', '2.00']);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const last = await page(target.id, { first: 3, after: second.pageInfo.endCursor });
    if ('errors' in last) throw new Error(JSON.stringify(last.errors));
    expect(last.edges.map((e) => e.node.amount.amount)).toEqual(['1.00']);
    expect(last.pageInfo.hasNextPage).toBe(false);

    const beyond = await page(target.id, { first: 3, after: last.pageInfo.endCursor });
    if ('errors' in beyond) throw new Error(JSON.stringify(beyond.errors));
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo).toMatchObject({ hasNextPage: false, startCursor: null, endCursor: null });

    const fresh = await page(target.id, { first: 2 });
    if ('errors' in fresh) throw new Error(JSON.stringify(fresh.errors));
    expect(fresh.edges.map((e) => e.node.amount.amount)).toEqual(['9.00', '8.00']);
    expect(fresh.edges[0].node.balanceAfter.amount).toBe('45.00');
  });

  it('defaults to 20 and refuses first outside 1 to 100', async () => {
    const all = await page(target.id);
    if ('errors' in all) throw new Error(JSON.stringify(all.errors));
    expect(all.edges).toHaveLength(9);
    const hundred = await page(target.id, { first: 100 });
    expect('edges' in hundred && hundred.edges).toHaveLength(9);
    for (const first of [101, 0, -1]) {
      const res = await page(target.id, { first });
      expect({ first, code: 'errors' in res ? res.errors[0].extensions?.code : 'none' }).toEqual({ first, code: 'BAD_USER_INPUT' });
    }
  });

  it('refuses a cursor it did not make', async () => {
    for (const after of ['nonsense', Buffer.from('posting:abc').toString('base64url'), Buffer.from('user:1').toString('base64url')]) {
      const res = await page(target.id, { after });
      expect('errors' in res && res.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('filters by time: from inclusive, to exclusive, to the millisecond the API shows', async () => {
    const all = await page(target.id, { first: 100 });
    if ('errors' in all) throw new Error(JSON.stringify(all.errors));
    const times = all.edges.map((e) => e.node.createdAt as string);
    const [newest, , third] = times;
    const from = await page(target.id, { from: third });
    if ('errors' in from) throw new Error(JSON.stringify(from.errors));
    expect(from.edges.map((e) => e.node.createdAt)).toEqual(times.filter((t) => t >= third));
    const to = await page(target.id, { to: newest });
    if ('errors' in to) throw new Error(JSON.stringify(to.errors));
    expect(to.edges.map((e) => e.node.createdAt)).toEqual(times.filter((t) => t < newest));
    const backwards = await page(target.id, { from: newest, to: third });
    expect('errors' in backwards && backwards.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('shows a hold as PENDING without balanceAfter, a voided or expired one as such, and a posted one once', async () => {
    const from = await h.account(alice.id, 'EUR', 10_000n);
    const to = await h.account(alice.id, 'EUR');
    const voided = await move(from, to, 100n, { pendingTimeoutSeconds: 60, description: 'voided' });
    const posted = await move(from, to, 200n, { pendingTimeoutSeconds: 60, description: 'posted' });
    const open = await move(from, to, 300n, { pendingTimeoutSeconds: 60, description: 'open' });
    await h.server.ledger.voidPending({ id: randomUUID(), pendingId: voided.id });
    await h.server.ledger.postPending({ id: randomUUID(), pendingId: posted.id, amount: 150n });

    const res = await page(from.id);
    if ('errors' in res) throw new Error(JSON.stringify(res.errors));
    const rows = res.edges.map((e) => ({
      description: e.node.description,
      status: e.node.status,
      amount: e.node.amount.amount,
      balanceAfter: e.node.balanceAfter?.amount ?? null,
    }));
    expect(rows).toEqual([
      { description: 'posted', status: 'POSTED', amount: '1.50', balanceAfter: '98.50' },
      { description: 'open', status: 'PENDING', amount: '3.00', balanceAfter: null },
      { description: 'voided', status: 'VOIDED', amount: '1.00', balanceAfter: null },
      { description: 'Test deposit', status: 'POSTED', amount: '100.00', balanceAfter: '100.00' },
    ]);
    expect(res.edges[1].node.transferId).toBe(open.id);
  });

  it('searches the description and the kind, ignoring case, with %, _ and \\ taken literally, page by page', async () => {
    const from = await h.account(alice.id, 'EUR', 100_00n);
    const to = await h.account(alice.id, 'EUR');
    for (const description of ['Rent for May', 'NETFLIX.COM', '50% off_sale', 'rent deposit', 'Path C:\\rent', 'Groceries']) {
      await move(from, to, 1_00n, { description });
    }
    const found = async (search: string, args: Record<string, unknown> = {}) => {
      const result = await page(to.id, { search, ...args });
      if ('errors' in result) throw new Error(JSON.stringify(result.errors));
      return result;
    };
    const descriptions = async (search: string) => (await found(search)).edges.map((e) => e.node.description);
    expect(await descriptions('RENT')).toEqual(['Path C:\\rent', 'rent deposit', 'Rent for May']);
    expect(await descriptions('  netflix ')).toEqual(['NETFLIX.COM']);
    expect(await descriptions('%')).toEqual(['50% off_sale']);
    expect(await descriptions('_')).toEqual(['50% off_sale']);
    expect(await descriptions('\\r')).toEqual(['Path C:\\rent']);
    expect(await descriptions('transfer')).toHaveLength(6); // the kind: code TRANSFER
    expect(await descriptions('nothing like it')).toEqual([]);
    // Paging within the matches: the cursor continues the search.
    const first = await found('rent', { first: 2 });
    expect(first.edges.map((e) => e.node.description)).toEqual(['Path C:\\rent', 'rent deposit']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await found('rent', { first: 2, after: first.pageInfo.endCursor });
    expect(next.edges.map((e) => e.node.description)).toEqual(['Rent for May']);
    expect(next.pageInfo.hasNextPage).toBe(false);

    for (const search of ['', '   ', 'x'.repeat(101)]) {
      const refused = await page(to.id, { search });
      expect('errors' in refused && refused.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
    }
    expect(await descriptions('é'.repeat(100))).toEqual([]);
  });

  it('is not visible to anyone but the owner', async () => {
    const stranger = await h.user();
    const res = await page(target.id, {}, stranger);
    expect('errors' in res && res.errors[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('Account.balanceAt', () => {
  it('gives the posted balance as of any past instant, zero before the first transaction', async () => {
    const source = await h.account(alice.id, 'EUR', 1_000_00n);
    const account = await h.account(alice.id, 'EUR');
    const opened = new Date();
    await sleep(5);
    const t1 = await move(source, account, 10_00n);
    await sleep(5);
    const between = new Date();
    await sleep(5);
    await move(source, account, 5_00n);
    await move(account, source, 2_50n, { pendingTimeoutSeconds: 60 });
    await sleep(5);
    const now = new Date();

    const query = `query($id: ID!, $a: DateTime!, $b: DateTime!, $c: DateTime!, $d: DateTime!) {
      account(id: $id) {
        before: balanceAt(time: $a) { amount currency }
        first: balanceAt(time: $b) { amount }
        between: balanceAt(time: $c) { amount }
        now: balanceAt(time: $d) { amount }
      }
    }`;
    const res = await h.gql(
      query,
      { id: account.id, a: opened.toISOString(), b: t1.postings.find((p) => p.accountId === account.id)!.createdAt.toISOString(), c: between.toISOString(), d: now.toISOString() },
      { user: alice },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.account).toEqual({
      before: { amount: '0.00', currency: 'EUR' },
      // at the very millisecond the transaction shows as its createdAt, it counts
      first: { amount: '10.00' },
      between: { amount: '10.00' },
      // the pending hold does not change the posted balance
      now: { amount: '15.00' },
    });
  });
});
