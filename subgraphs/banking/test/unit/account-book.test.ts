import { MAX_MINOR_UNITS, type AccountRecord } from '../../src';
import { AccountBook, type CounterChange } from '../../src/ledger/account-book';

const account = (id: string, extra: Partial<AccountRecord> = {}): AccountRecord => ({
  id,
  number: `4000000000${id}`,
  ownerId: 'owner',
  kind: 'CUSTOMER',
  type: 'CURRENT',
  currency: 'USD',
  name: 'Current',
  status: 'ACTIVE',
  overdraftLimit: 0n,
  debitsPosted: 0n,
  creditsPosted: 1_000n,
  debitsPending: 0n,
  creditsPending: 0n,
  openedAt: new Date(0),
  closedAt: null,
  ...extra,
});

const change = (accountId: string, direction: 'DEBIT' | 'CREDIT', amount: bigint, extra: Partial<CounterChange> = {}): CounterChange => ({
  accountId,
  direction,
  amount,
  currency: 'USD',
  pending: false,
  sign: 1,
  record: true,
  ...extra,
});

const move = (from: string, to: string, amount: bigint) => [change(from, 'DEBIT', amount), change(to, 'CREDIT', amount)];

describe('AccountBook', () => {
  it('applies transfers on top of each other, with running balances', () => {
    const book = new AccountBook([account('1'), account('2')]);
    expect(book.apply(move('1', '2', 300n)).map((p) => p.balanceAfter)).toEqual([700n, 1_300n]);
    expect(book.apply(move('2', '1', 1_300n)).map((p) => p.balanceAfter)).toEqual([0n, 2_000n]);
    expect(book.changedAccounts().map((a) => [a.id, a.creditsPosted - a.debitsPosted])).toEqual([
      ['1', 2_000n],
      ['2', 0n],
    ]);
  });

  it('keeps a refused transfer out entirely, so the next one sees the book as before it', () => {
    const book = new AccountBook([account('1'), account('2'), account('3', { status: 'CLOSED' })]);
    expect(() => book.apply([change('1', 'DEBIT', 200n), change('2', 'CREDIT', 100n), change('3', 'CREDIT', 100n)])).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
    expect(() => book.apply(move('1', '2', 1_001n))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
    expect(book.changedAccounts()).toEqual([]);
    expect(book.apply(move('1', '2', 1_000n)).map((p) => p.balanceAfter)).toEqual([0n, 2_000n]);
  });

  it('refuses a counter beyond 64 bits with BAD_USER_INPUT, after the limit check', () => {
    const book = new AccountBook([account('1'), account('2', { creditsPosted: MAX_MINOR_UNITS })]);
    expect(() => book.apply(move('1', '2', 1n))).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => book.apply(move('1', '2', 1_001n))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
  });

  it('lets releases and frozen accounts through only where asked', () => {
    const book = new AccountBook([account('1', { debitsPending: 500n, status: 'FROZEN' }), account('2', { creditsPending: 500n })]);
    const release = [change('1', 'DEBIT', 500n, { pending: true, sign: -1, record: false }), change('2', 'CREDIT', 500n, { pending: true, sign: -1, record: false })];
    expect(() => book.apply(release)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(book.apply(release, { allowFrozen: true })).toEqual([]);
    expect(book.get('1')!.debitsPending).toBe(0n);
  });
});
