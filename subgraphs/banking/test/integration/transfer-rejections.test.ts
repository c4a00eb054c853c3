import { randomUUID } from 'node:crypto';
import { LedgerVerifier, MAX_MINOR_UNITS, parsePositiveAmount, type AccountRecord, type PostingInput, type TransferInput } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// Every refused request fails with a documented code and leaves no trace: no
// transfer row, no posting, no outbox event, no counter moved, no chain position used.

let h: LedgerHarness;
let usd: AccountRecord;
let usd2: AccountRecord;
let usd3: AccountRecord;
let usd4: AccountRecord;
let eur: AccountRecord;
let closed: AccountRecord;
let frozen: AccountRecord;
let full: AccountRecord;
let gbp: AccountRecord;
let hold: string;
const owner = randomUUID();

beforeAll(async () => {
  h = await startLedger();
  usd = await h.fundedAccount(owner, 'USD', 10_000n);
  usd2 = await h.fundedAccount(owner, 'USD', 500n);
  usd3 = await h.fundedAccount(owner, 'USD', 0n);
  usd4 = await h.fundedAccount(owner, 'USD', 0n);
  eur = await h.fundedAccount(owner, 'EUR', 10_000n);
  closed = await h.fundedAccount(owner, 'USD', 0n);
  await h.accounts.closeAccount(closed.id);
  frozen = await h.fundedAccount(owner, 'USD', 1_000n);
  await h.dataSource.query(`UPDATE banking.accounts SET status = 'FROZEN' WHERE id = $1`, [frozen.id]);
  // An account two minor units short of the 64-bit ceiling, funded from a system account of its own currency.
  full = await h.accounts.openAccount({ ownerId: owner, type: 'SAVINGS', currency: 'GBP' });
  const settlement = await h.accounts.systemAccount('SETTLEMENT', 'GBP');
  await h.ledger.createTransfer(transfer([debit(settlement.id, MAX_MINOR_UNITS - 2n, 'GBP'), credit(full.id, MAX_MINOR_UNITS - 2n, 'GBP')], 'DEPOSIT'));
  gbp = await h.fundedAccount(owner, 'GBP', 100n);
  hold = randomUUID();
  await h.ledger.createTransfer({ ...transfer([debit(usd.id, 1_000n), credit(usd2.id, 1_000n)]), id: hold, pendingTimeoutSeconds: 600 });
});
afterAll(() => h.close());

function debit(accountId: string, amount: bigint, currency: PostingInput['currency'] = 'USD'): PostingInput {
  return { accountId, direction: 'DEBIT', amount, currency };
}
function credit(accountId: string, amount: bigint, currency: PostingInput['currency'] = 'USD'): PostingInput {
  return { accountId, direction: 'CREDIT', amount, currency };
}
function transfer(postings: PostingInput[], code = 'TRANSFER'): TransferInput {
  return { id: randomUUID(), code, postings };
}

/** Everything a transfer could have written. */
async function ledgerState(): Promise<unknown> {
  const q = (sql: string) => h.dataSource.query(sql);
  return {
    transfers: await q(`SELECT count(*)::int AS n FROM banking.transfers`),
    postings: await q(`SELECT count(*)::int AS n FROM banking.postings`),
    outbox: await q(`SELECT count(*)::int AS n FROM banking.outbox`),
    head: await q(`SELECT last_seq, last_hash FROM banking.ledger_head`),
    accounts: await q(`SELECT id, status, debits_posted, credits_posted, debits_pending, credits_pending FROM banking.accounts ORDER BY id`),
    pending: await q(`SELECT id, status FROM banking.transfers WHERE phase = 'PENDING' ORDER BY id`),
  };
}

/** Runs the call, expects the code, and checks nothing changed anywhere. */
async function refused(call: () => Promise<unknown>, code: string, id?: string): Promise<void> {
  const before = await ledgerState();
  await expect(call()).rejects.toMatchObject({ code });
  expect(await ledgerState()).toEqual(before);
  if (id) expect(await h.ledger.getTransfer(id)).toBeNull();
}

const cases: [string, string, () => TransferInput][] = [
  ['a zero amount', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 0n), credit(usd2.id, 0n)])],
  ['a negative amount', 'BAD_USER_INPUT', () => transfer([debit(usd.id, -5n), credit(usd2.id, -5n)])],
  ['unbalanced postings', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 100n), credit(usd2.id, 99n)])],
  ['postings balanced in total but not per currency', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 100n), credit(eur.id, 100n, 'EUR')])],
  ['one posting only', 'BAD_USER_INPUT', () => transfer([credit(usd2.id, 100n)])],
  ['no postings', 'BAD_USER_INPUT', () => transfer([])],
  ['65 postings', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 64n), ...Array.from({ length: 64 }, () => credit(usd2.id, 1n))])],
  ['an unknown account', 'NOT_FOUND', () => transfer([debit(usd.id, 100n), credit(randomUUID(), 100n)])],
  ['a closed account', 'CONFLICT', () => transfer([debit(usd.id, 100n), credit(closed.id, 100n)])],
  ['a frozen account (debited)', 'CONFLICT', () => transfer([debit(frozen.id, 100n), credit(usd.id, 100n)])],
  ['a frozen account (credited)', 'CONFLICT', () => transfer([debit(usd.id, 100n), credit(frozen.id, 100n)])],
  ['EUR postings on USD accounts', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 100n, 'EUR'), credit(usd2.id, 100n, 'EUR')])],
  ['a USD posting on a EUR account', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 100n), credit(eur.id, 100n)])],
  ['an amount beyond the 64-bit range', 'BAD_USER_INPUT', () => transfer([debit(usd.id, MAX_MINOR_UNITS + 1n), credit(usd2.id, MAX_MINOR_UNITS + 1n)])],
  [
    'a currency total beyond the 64-bit range',
    'BAD_USER_INPUT',
    () => transfer([debit(usd.id, MAX_MINOR_UNITS), debit(usd2.id, 1n), credit(usd3.id, MAX_MINOR_UNITS), credit(usd4.id, 1n)]),
  ],
  ['a credit that would overflow a counter', 'BAD_USER_INPUT', () => transfer([debit(gbp.id, 3n, 'GBP'), credit(full.id, 3n, 'GBP')])],
  ['the same account on both sides', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 100n), credit(usd.id, 100n)])],
  ['an account debited and credited among others', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 100n), credit(usd2.id, 50n), credit(usd.id, 50n)])],
  ['more than the available balance', 'INSUFFICIENT_FUNDS', () => transfer([debit(usd2.id, 501n), credit(usd.id, 501n)])],
  ['funds reserved by a pending transfer', 'INSUFFICIENT_FUNDS', () => transfer([debit(usd.id, 9_001n), credit(usd2.id, 9_001n)])],
  ['a malformed transfer id', 'BAD_USER_INPUT', () => ({ ...transfer([debit(usd.id, 1n), credit(usd2.id, 1n)]), id: 'not-a-uuid' })],
  ['a malformed account id', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 1n), credit('12345', 1n)])],
  ['a lowercase code', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 1n), credit(usd2.id, 1n)], 'transfer')],
  ['a code with spaces', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 1n), credit(usd2.id, 1n)], 'CARD PAYMENT')],
  ['a one-letter code', 'BAD_USER_INPUT', () => transfer([debit(usd.id, 1n), credit(usd2.id, 1n)], 'T')],
  ['a description over 500 characters', 'BAD_USER_INPUT', () => ({ ...transfer([debit(usd.id, 1n), credit(usd2.id, 1n)]), description: 'x'.repeat(501) })],
  ['metadata over 4 KiB', 'BAD_USER_INPUT', () => ({ ...transfer([debit(usd.id, 1n), credit(usd2.id, 1n)]), metadata: { note: 'x'.repeat(4_100) } })],
  ['a pending timeout of zero', 'BAD_USER_INPUT', () => ({ ...transfer([debit(usd.id, 1n), credit(usd2.id, 1n)]), pendingTimeoutSeconds: 0 })],
];

describe('refused transfers write nothing', () => {
  it.each(cases)('refuses %s with %s', async (_name, code, build) => {
    const input = build();
    await refused(() => h.ledger.createTransfer(input), code, /^[0-9a-f-]{36}$/.test(input.id) ? input.id : undefined);
  });

  it('refuses the over-full account only for the overflow: two minor units still fit', async () => {
    await h.ledger.createTransfer(transfer([debit(gbp.id, 2n, 'GBP'), credit(full.id, 2n, 'GBP')]));
    expect((await h.reload(full.id)).creditsPosted).toBe(MAX_MINOR_UNITS);
    await refused(() => h.ledger.createTransfer(transfer([debit(gbp.id, 1n, 'GBP'), credit(full.id, 1n, 'GBP')])), 'BAD_USER_INPUT');
  });

  it('refuses amounts with more decimals than the currency has, or beyond 64 bits, before any transfer is built', () => {
    expect(parsePositiveAmount('12.34', 'USD')).toBe(1_234n);
    expect(() => parsePositiveAmount('12.345', 'USD')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => parsePositiveAmount('1.5', 'JPY')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => parsePositiveAmount('0.00', 'EUR')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => parsePositiveAmount('92233720368547758.08', 'USD')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('refused resolutions of a pending transfer write nothing', () => {
  it('refuses posting more than the hold', async () => {
    const id = randomUUID();
    await refused(() => h.ledger.postPending({ id, pendingId: hold, amount: 1_001n }), 'BAD_USER_INPUT', id);
  });

  it('refuses a zero or negative amount', async () => {
    await refused(() => h.ledger.postPending({ id: randomUUID(), pendingId: hold, amount: 0n }), 'BAD_USER_INPUT');
    await refused(() => h.ledger.postPending({ id: randomUUID(), pendingId: hold, amount: -1n }), 'BAD_USER_INPUT');
  });

  it('refuses a void with an amount, as a rejected promise like every other refusal', async () => {
    await refused(() => h.ledger.voidPending({ id: randomUUID(), pendingId: hold, amount: 1n }), 'BAD_USER_INPUT');
  });

  it('refuses posting part of a hold with more than two postings', async () => {
    const split = randomUUID();
    await h.ledger.createTransfer({ ...transfer([debit(usd.id, 30n), credit(usd2.id, 10n), credit(usd3.id, 20n)]), id: split, pendingTimeoutSeconds: 600 });
    const id = randomUUID();
    await refused(() => h.ledger.postPending({ id, pendingId: split, amount: 5n }), 'BAD_USER_INPUT', id);
  });

  it('refuses an unknown pending transfer', async () => {
    const id = randomUUID();
    await refused(() => h.ledger.postPending({ id, pendingId: randomUUID() }), 'NOT_FOUND', id);
    await refused(() => h.ledger.voidPending({ id, pendingId: randomUUID() }), 'NOT_FOUND', id);
  });

  it('refuses to resolve a transfer that is not pending', async () => {
    const single = await h.ledger.createTransfer(transfer([debit(usd.id, 1n), credit(usd2.id, 1n)]));
    const id = randomUUID();
    await refused(() => h.ledger.postPending({ id, pendingId: single.id }), 'CONFLICT', id);
  });

  it('refuses to resolve an expired hold', async () => {
    const short = randomUUID();
    await h.ledger.createTransfer({ ...transfer([debit(usd.id, 5n), credit(usd2.id, 5n)]), id: short, pendingTimeoutSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const id = randomUUID();
    await refused(() => h.ledger.postPending({ id, pendingId: short }), 'CONFLICT', id);
  });

  it('refuses malformed ids', async () => {
    await refused(() => h.ledger.postPending({ id: 'x', pendingId: hold }), 'BAD_USER_INPUT');
    await refused(() => h.ledger.postPending({ id: randomUUID(), pendingId: 'x' }), 'BAD_USER_INPUT');
  });

  it('leaves a ledger that verifies', async () => {
    expect((await new LedgerVerifier(h.dataSource).verify()).mismatch).toBeNull();
  });
});
