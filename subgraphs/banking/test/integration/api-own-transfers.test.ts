import { randomUUID } from 'node:crypto';
import type { AccountRecord } from '../../src';
import { ledgerFootprint, OWN_TRANSFER, startBanking, TRANSACTIONS, type BankingHarness, type TestUser } from '../helpers/api-harness';

let h: BankingHarness;
let alice: TestUser;
let current: AccountRecord;
let savings: AccountRecord;
beforeAll(async () => {
  h = await startBanking();
  alice = await h.user();
  current = await h.account(alice.id, 'EUR', 100_000n);
  savings = await h.account(alice.id, 'EUR', 0n, 'SAVINGS');
});
afterAll(() => h.close());

const move = (overrides: Record<string, unknown> = {}) => ({
  transferId: randomUUID(),
  fromAccountId: current.id,
  toAccountId: savings.id,
  amount: '10.00',
  ...overrides,
});

describe('transferBetweenOwnAccounts', () => {
  it('moves money between two of the caller’s accounts and shows it on both', async () => {
    const input = move({ amount: '250.5', description: 'Rainy day' });
    const res = await h.gql(OWN_TRANSFER, { input }, { user: alice });
    expect(res.errors).toBeUndefined();
    expect(res.data!.transferBetweenOwnAccounts).toMatchObject({
      id: input.transferId,
      status: 'POSTED',
      code: 'TRANSFER',
      description: 'Rainy day',
      amount: { amount: '250.50', currency: 'EUR' },
      fromAccount: { id: current.id, balance: { posted: { amount: '749.50' } } },
      toAccount: { id: savings.id, balance: { posted: { amount: '250.50' } } },
    });

    const out = await h.gql(TRANSACTIONS, { id: current.id, first: 1 }, { user: alice });
    expect(out.data!.account.transactions.edges[0].node).toMatchObject({
      transferId: input.transferId,
      direction: 'DEBIT',
      amount: { amount: '250.50', currency: 'EUR' },
      balanceAfter: { amount: '749.50' },
      status: 'POSTED',
      code: 'TRANSFER',
      description: 'Rainy day',
    });
    const into = await h.gql(TRANSACTIONS, { id: savings.id, first: 1 }, { user: alice });
    expect(into.data!.account.transactions.edges[0].node).toMatchObject({ direction: 'CREDIT', balanceAfter: { amount: '250.50' } });
  });

  it('returns the original transfer for a replay, moving money once', async () => {
    const input = move({ amount: '1.00' });
    const first = await h.gql(OWN_TRANSFER, { input }, { user: alice });
    const before = await ledgerFootprint(h, [current.id, savings.id]);
    const again = await h.gql(OWN_TRANSFER, { input }, { user: alice });
    expect(again.errors).toBeUndefined();
    expect(again.data!.transferBetweenOwnAccounts.id).toBe(first.data!.transferBetweenOwnAccounts.id);
    expect(again.data!.transferBetweenOwnAccounts.createdAt).toBe(first.data!.transferBetweenOwnAccounts.createdAt);
    expect(await ledgerFootprint(h, [current.id, savings.id])).toEqual(before);
  });

  it('refuses the same transferId with different content (IDEMPOTENCY_KEY_REUSED), writing nothing', async () => {
    const input = move({ amount: '2.00' });
    expect((await h.gql(OWN_TRANSFER, { input }, { user: alice })).errors).toBeUndefined();
    const before = await ledgerFootprint(h, [current.id, savings.id]);
    for (const changed of [{ amount: '3.00' }, { description: 'other' }, { fromAccountId: savings.id, toAccountId: current.id }]) {
      const res = await h.gql(OWN_TRANSFER, { input: { ...input, ...changed } }, { user: alice });
      expect({ changed, code: res.errors?.[0].extensions?.code }).toEqual({ changed, code: 'IDEMPOTENCY_KEY_REUSED' });
    }
    expect(await ledgerFootprint(h, [current.id, savings.id])).toEqual(before);
  });

  describe('refusals write nothing', () => {
    let bob: TestUser;
    let bobs: AccountRecord;
    let dollars: AccountRecord;
    let closed: AccountRecord;
    let frozen: AccountRecord;
    beforeAll(async () => {
      bob = await h.user();
      bobs = await h.account(bob.id, 'EUR', 5_000n);
      dollars = await h.account(alice.id, 'USD', 5_000n);
      closed = await h.account(alice.id, 'EUR');
      await h.server.accounts.closeAccount(closed.id);
      frozen = await h.account(alice.id, 'EUR', 1_000n);
      await h.server.dataSource.query(`UPDATE banking.accounts SET status = 'FROZEN' WHERE id = $1`, [frozen.id]);
    });

    const cases: [string, string, () => Record<string, unknown>][] = [
      ['a zero amount', 'BAD_USER_INPUT', () => move({ amount: '0.00' })],
      ['a negative amount', 'BAD_USER_INPUT', () => move({ amount: '-5.00' })],
      ['too many decimals for EUR', 'BAD_USER_INPUT', () => move({ amount: '1.001' })],
      ['an amount beyond 64 bits', 'BAD_USER_INPUT', () => move({ amount: '92233720368547758.08' })],
      ['an amount far beyond 64 bits', 'BAD_USER_INPUT', () => move({ amount: '1'.repeat(40) })],
      ['a malformed amount', 'BAD_USER_INPUT', () => move({ amount: '1e3' })],
      ['a transferId that is not a UUID', 'BAD_USER_INPUT', () => move({ transferId: 'abc' })],
      ['the same account twice', 'BAD_USER_INPUT', () => move({ toAccountId: current.id })],
      ['a currency mismatch', 'BAD_USER_INPUT', () => move({ toAccountId: dollars.id })],
      ['a description too long', 'BAD_USER_INPUT', () => move({ description: 'x'.repeat(141) })],
      ['an unknown account', 'NOT_FOUND', () => move({ toAccountId: randomUUID() })],
      ['someone else’s account as the source', 'NOT_FOUND', () => move({ fromAccountId: bobs.id })],
      ['someone else’s account as the target', 'NOT_FOUND', () => move({ toAccountId: bobs.id })],
      ['a closed account', 'CONFLICT', () => move({ toAccountId: closed.id })],
      ['a frozen account', 'CONFLICT', () => move({ fromAccountId: frozen.id })],
      ['more than the available balance', 'INSUFFICIENT_FUNDS', () => move({ amount: '1000000.00' })],
    ];

    it.each(cases)('refuses %s with %s', async (_name, code, input) => {
      const ids = [current.id, savings.id, bobs.id, dollars.id, closed.id, frozen.id];
      const before = await ledgerFootprint(h, ids);
      const request = input();
      const res = await h.gql(OWN_TRANSFER, { input: request }, { user: alice });
      expect(res.errors?.[0].extensions?.code).toBe(code);
      expect(res.data ?? null).toBeNull();
      expect(await ledgerFootprint(h, ids)).toEqual(before);
      expect(await h.server.ledger.getTransfer(String(request.transferId))).toBeNull();
    });

    it('gives the same answer for someone else’s account as for a missing one', async () => {
      const other = await h.gql(OWN_TRANSFER, { input: move({ toAccountId: bobs.id }) }, { user: alice });
      const missing = await h.gql(OWN_TRANSFER, { input: move({ toAccountId: randomUUID() }) }, { user: alice });
      expect(other.errors?.[0].message).toBe(missing.errors?.[0].message);
      expect(other.errors?.[0].extensions).toEqual(missing.errors?.[0].extensions);
    });

    it('refuses a JSON number as the amount (it has been through a float)', async () => {
      const before = await ledgerFootprint(h, [current.id]);
      const res = await h.gql(OWN_TRANSFER, { input: move({ amount: 10.1 }) }, { user: alice });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await ledgerFootprint(h, [current.id])).toEqual(before);
    });

    it('accepts whole yen and refuses yen decimals', async () => {
      const yen = await h.account(alice.id, 'JPY', 10_000n);
      const yenSavings = await h.account(alice.id, 'JPY');
      const ok = await h.gql(OWN_TRANSFER, { input: move({ fromAccountId: yen.id, toAccountId: yenSavings.id, amount: '1500' }) }, { user: alice });
      expect(ok.data!.transferBetweenOwnAccounts.amount).toEqual({ amount: '1500', currency: 'JPY' });
      const decimals = await h.gql(OWN_TRANSFER, { input: move({ fromAccountId: yen.id, toAccountId: yenSavings.id, amount: '1.5' }) }, { user: alice });
      expect(decimals.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('refuses a caller without a token', async () => {
      const before = await ledgerFootprint(h, [current.id]);
      const res = await h.gql(OWN_TRANSFER, { input: move() });
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(await ledgerFootprint(h, [current.id])).toEqual(before);
    });
  });
});
