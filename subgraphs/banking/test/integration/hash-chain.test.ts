import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, LedgerVerifier, type AccountRecord, type LedgerVerificationReport } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// The verifier against a small ledger with every kind of transfer, then against
// the same ledger tampered with by a superuser who switched the immutability
// triggers off: each change is reported as the first mismatch, at its place.

let h: LedgerHarness;
let verifier: LedgerVerifier;
let a: AccountRecord;
let b: AccountRecord;
let c: AccountRecord;
/** Transfer ids in chain order after the setup. */
let chain: { id: string; seq: bigint }[];

const owner = randomUUID();
const move = (from: string, to: string, amount: bigint, extra: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT' as const, amount, currency: 'EUR' as const },
    { accountId: to, direction: 'CREDIT' as const, amount, currency: 'EUR' as const },
  ],
  ...extra,
});

beforeAll(async () => {
  h = await startLedger();
  verifier = new LedgerVerifier(h.dataSource);
  a = await h.fundedAccount(owner, 'EUR', 50_000n);
  b = await h.fundedAccount(owner, 'EUR', 20_000n);
  c = await h.fundedAccount(owner, 'EUR', 0n, 'SAVINGS');
  await h.fundedAccount(owner, 'USD', 7_000n);
  await h.ledger.createTransfer(move(a.id, b.id, 1_250n, { description: 'Rent share', metadata: { month: '2025-11', n: 3, ok: true, none: null } }));
  await h.ledger.createTransfer({
    id: randomUUID(),
    code: 'SPLIT',
    causedBy: 'payment:split-1',
    postings: [
      { accountId: a.id, direction: 'DEBIT', amount: 900n, currency: 'EUR' },
      { accountId: b.id, direction: 'CREDIT', amount: 400n, currency: 'EUR' },
      { accountId: c.id, direction: 'CREDIT', amount: 500n, currency: 'EUR' },
    ],
  });
  const partial = move(b.id, c.id, 3_000n, { pendingTimeoutSeconds: 60 });
  await h.ledger.createTransfer(partial);
  await h.ledger.postPending({ id: randomUUID(), pendingId: partial.id, amount: 1_000n });
  const voided = move(a.id, c.id, 700n, { pendingTimeoutSeconds: 60 });
  await h.ledger.createTransfer(voided);
  await h.ledger.voidPending({ id: randomUUID(), pendingId: voided.id });
  const expiring = move(a.id, b.id, 300n, { pendingTimeoutSeconds: 1 });
  await h.ledger.createTransfer(expiring);
  await h.ledger.expirePending(new Date(Date.now() + 5_000));
  // Left open, so the pending counters are non-zero when verified.
  await h.ledger.createTransfer(move(c.id, a.id, 200n, { pendingTimeoutSeconds: 3_600 }));
  await h.ledger.createTransfer(move(b.id, a.id, 42n));
  chain = (await h.dataSource.query(`SELECT id, seq FROM banking.transfers ORDER BY seq`)).map((r: { id: string; seq: string }) => ({
    id: r.id,
    seq: BigInt(r.seq),
  }));
});
afterAll(() => h.close());

/** Runs `sql` with every trigger of `table` off, as a superuser could; the triggers are back on at commit. */
async function tamper(table: string, sql: string, params: unknown[] = []): Promise<void> {
  await h.dataSource.transaction(async (m) => {
    await m.query(`ALTER TABLE banking.${table} DISABLE TRIGGER ALL`);
    await m.query(sql, params);
    await m.query(`ALTER TABLE banking.${table} ENABLE TRIGGER ALL`);
  });
}

/** Tampers, verifies, then undoes the change and checks the ledger verifies again. */
async function whileTampered(change: () => Promise<void>, undo: () => Promise<void>): Promise<LedgerVerificationReport> {
  await change();
  try {
    return await verifier.verify({ batchSize: 3 });
  } finally {
    await undo();
    expect((await verifier.verify()).ok).toBe(true);
  }
}

async function postingOf(transferId: string, index = 0): Promise<{ id: string; amount: string; balance_after: string | null }> {
  const rows = await h.dataSource.query(`SELECT id, amount, balance_after FROM banking.postings WHERE transfer_id = $1 ORDER BY id`, [transferId]);
  return rows[index];
}

describe('ledger verifier', () => {
  it('verifies a clean ledger: chain, head, counters, running balances and zero-sum currencies', async () => {
    const report = await verifier.verify();
    expect(report.mismatch).toBeNull();
    expect(report.ok).toBe(true);
    expect(report.transfers).toBe(chain.length);
    expect(report.head.seq).toBe(BigInt(chain.length));
    expect(report.head.hash).not.toBe(GENESIS_HASH);
    expect(report.accounts).toBe(6); // four customers, CLEARING EUR and CLEARING USD
    expect(report.totals).toEqual({ EUR: 0n, USD: 0n });
    const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.postings`);
    expect(report.postings).toBe(n);
  });

  it('gives the same answer whatever the batch size (batches of 1 stream every row separately)', async () => {
    const one = await verifier.verify({ batchSize: 1 });
    expect(one).toMatchObject({ ok: true, transfers: chain.length, accounts: 6 });
  });

  it('verifies an empty ledger', async () => {
    const empty = await startLedger(2);
    try {
      const report = await new LedgerVerifier(empty.dataSource).verify();
      expect(report).toMatchObject({ ok: true, transfers: 0, accounts: 0, head: { seq: 0n, hash: GENESIS_HASH } });
    } finally {
      await empty.close();
    }
  });

  it('reports a changed posting amount as a broken hash of its transfer', async () => {
    const target = chain[3];
    const posting = await postingOf(target.id);
    const report = await whileTampered(
      () => tamper('postings', `UPDATE banking.postings SET amount = amount + 1 WHERE id = $1`, [posting.id]),
      () => tamper('postings', `UPDATE banking.postings SET amount = $2 WHERE id = $1`, [posting.id, posting.amount]),
    );
    expect(report.ok).toBe(false);
    expect(report.mismatch).toMatchObject({ kind: 'CHAIN_HASH', transferId: target.id, seq: target.seq, field: 'hash' });
    const [{ hash }] = await h.dataSource.query(`SELECT hash FROM banking.transfers WHERE id = $1`, [target.id]);
    expect(report.mismatch!.found).toBe(hash);
    expect(report.mismatch!.expected).not.toBe(hash);
    expect(report.transfers).toBe(Number(target.seq) - 1);
  });

  it('reports a changed description as a broken hash of its transfer', async () => {
    const target = chain[chain.length - 2];
    const [{ description }] = await h.dataSource.query(`SELECT description FROM banking.transfers WHERE id = $1`, [target.id]);
    const report = await whileTampered(
      () => tamper('transfers', `UPDATE banking.transfers SET description = 'nothing to see' WHERE id = $1`, [target.id]),
      () => tamper('transfers', `UPDATE banking.transfers SET description = $2 WHERE id = $1`, [target.id, description]),
    );
    expect(report.mismatch).toMatchObject({ kind: 'CHAIN_HASH', transferId: target.id, seq: target.seq });
  });

  it('reports the earliest of two changes in chain order', async () => {
    const early = chain[2];
    const late = chain[chain.length - 1];
    const [{ metadata }] = await h.dataSource.query(`SELECT metadata FROM banking.transfers WHERE id = $1`, [early.id]);
    const posting = await postingOf(late.id, 1);
    const report = await whileTampered(
      async () => {
        await tamper('postings', `UPDATE banking.postings SET amount = amount * 2 WHERE id = $1`, [posting.id]);
        await tamper('transfers', `UPDATE banking.transfers SET metadata = '{"note": "added later"}' WHERE id = $1`, [early.id]);
      },
      async () => {
        await tamper('postings', `UPDATE banking.postings SET amount = $2 WHERE id = $1`, [posting.id, posting.amount]);
        await tamper('transfers', `UPDATE banking.transfers SET metadata = $2 WHERE id = $1`, [early.id, JSON.stringify(metadata)]);
      },
    );
    expect(report.mismatch).toMatchObject({ kind: 'CHAIN_HASH', transferId: early.id, seq: early.seq });
  });

  it('catches a rewrite of postings, counters and running balances together through the chain', async () => {
    // Moves 100 more from a to b in an existing transfer and fixes everything except the hash.
    const target = chain[chain.length - 1];
    const [debit, credit] = [await postingOf(target.id, 0), await postingOf(target.id, 1)];
    const rewrite = (sign: 1 | -1) => async () => {
      await tamper('postings', `UPDATE banking.postings SET amount = amount + $2, balance_after = balance_after - $2 WHERE id = $1`, [debit.id, 100 * sign]);
      await tamper('postings', `UPDATE banking.postings SET amount = amount + $2, balance_after = balance_after + $2 WHERE id = $1`, [credit.id, 100 * sign]);
      await tamper('accounts', `UPDATE banking.accounts SET debits_posted = debits_posted + $2 WHERE id = $1`, [b.id, 100 * sign]);
      await tamper('accounts', `UPDATE banking.accounts SET credits_posted = credits_posted + $2 WHERE id = $1`, [a.id, 100 * sign]);
    };
    const report = await whileTampered(rewrite(1), rewrite(-1));
    expect(report.mismatch).toMatchObject({ kind: 'CHAIN_HASH', transferId: target.id });
  });

  it('reports a changed balance counter at its account, with the sum of the postings as expected', async () => {
    const before = await h.reload(b.id);
    const report = await whileTampered(
      () => tamper('accounts', `UPDATE banking.accounts SET credits_posted = credits_posted + 5000 WHERE id = $1`, [b.id]),
      () => tamper('accounts', `UPDATE banking.accounts SET credits_posted = credits_posted - 5000 WHERE id = $1`, [b.id]),
    );
    expect(report.mismatch).toMatchObject({
      kind: 'COUNTER',
      accountId: b.id,
      field: 'credits_posted',
      expected: before.creditsPosted.toString(),
      found: (before.creditsPosted + 5_000n).toString(),
    });
    expect(report.transfers).toBe(chain.length);
  });

  it('reports a changed pending counter at its account', async () => {
    const before = await h.reload(c.id);
    expect(before.debitsPending).toBe(200n);
    const report = await whileTampered(
      () => tamper('accounts', `UPDATE banking.accounts SET debits_pending = 0 WHERE id = $1`, [c.id]),
      () => tamper('accounts', `UPDATE banking.accounts SET debits_pending = 200 WHERE id = $1`, [c.id]),
    );
    expect(report.mismatch).toMatchObject({ kind: 'COUNTER', accountId: c.id, field: 'debits_pending', expected: '200', found: '0' });
  });

  it('reports a changed running balance (which the hash does not cover) at its posting', async () => {
    const target = chain[chain.length - 1];
    const posting = await postingOf(target.id, 0);
    const report = await whileTampered(
      () => tamper('postings', `UPDATE banking.postings SET balance_after = balance_after + 1 WHERE id = $1`, [posting.id]),
      () => tamper('postings', `UPDATE banking.postings SET balance_after = $2 WHERE id = $1`, [posting.id, posting.balance_after]),
    );
    expect(report.mismatch).toMatchObject({
      kind: 'BALANCE_AFTER',
      transferId: target.id,
      postingId: String(posting.id),
      expected: posting.balance_after,
      found: (BigInt(posting.balance_after!) + 1n).toString(),
    });
  });

  it('reports a head that disagrees with the last transfer', async () => {
    const [head] = await h.dataSource.query(`SELECT last_seq, last_hash FROM banking.ledger_head`);
    const report = await whileTampered(
      () => tamper('ledger_head', `UPDATE banking.ledger_head SET last_hash = $1`, ['f'.repeat(64)]),
      () => tamper('ledger_head', `UPDATE banking.ledger_head SET last_hash = $1`, [head.last_hash]),
    );
    expect(report.mismatch).toMatchObject({ kind: 'CHAIN_HEAD', field: 'last_hash', expected: head.last_hash, found: 'f'.repeat(64) });
  });

  it('reports a gap where a transfer left the chain', async () => {
    const target = chain[4];
    const report = await whileTampered(
      () => tamper('transfers', `UPDATE banking.transfers SET seq = seq + 1000 WHERE seq >= $1`, [target.seq.toString()]),
      () => tamper('transfers', `UPDATE banking.transfers SET seq = seq - 1000 WHERE seq >= $1`, [(target.seq + 1000n).toString()]),
    );
    expect(report.mismatch).toMatchObject({ kind: 'CHAIN_SEQUENCE', transferId: target.id, expected: target.seq.toString() });
  });

  it('reports money created by a counter change mirrored on a system account as a counter mismatch, not a total', async () => {
    const clearing = await h.accounts.systemAccount('CLEARING', 'EUR');
    const shift = (sign: 1 | -1) => async () => {
      await tamper('accounts', `UPDATE banking.accounts SET credits_posted = credits_posted + $2 WHERE id = $1`, [a.id, 777 * sign]);
      await tamper('accounts', `UPDATE banking.accounts SET debits_posted = debits_posted + $2 WHERE id = $1`, [clearing.id, 777 * sign]);
    };
    const report = await whileTampered(shift(1), shift(-1));
    expect(report.mismatch?.kind).toBe('COUNTER');
    expect([a.id, clearing.id]).toContain(report.mismatch!.accountId);
  });
});
