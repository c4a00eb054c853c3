import { randomUUID } from 'node:crypto';
import { balanceOf } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

let h: LedgerHarness;
const owner = randomUUID();
beforeAll(async () => {
  h = await startLedger();
});
afterAll(() => h.close());

const move = (id: string, from: string, to: string, amount: bigint) => ({
  id,
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT' as const, amount, currency: 'EUR' as const },
    { accountId: to, direction: 'CREDIT' as const, amount, currency: 'EUR' as const },
  ],
});

describe('ledger', () => {
  it('moves money between accounts and records running balances', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 10_000n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    const t = await h.ledger.createTransfer(move(randomUUID(), a.id, b.id, 2_550n));
    expect(t.status).toBe('POSTED');
    expect(t.postings.map((p) => p.balanceAfter)).toEqual([7_450n, 2_550n]);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(7_450n);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(2_550n);
    expect(t.seq).not.toBeNull();
    expect(t.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses insufficient funds and writes nothing', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 100n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    const id = randomUUID();
    await expect(h.ledger.createTransfer(move(id, a.id, b.id, 101n))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await h.ledger.getTransfer(id)).toBeNull();
    expect(balanceOf(await h.reload(a.id)).posted).toBe(100n);
  });

  it('returns the original for a replay and refuses other content under a used id', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 1_000n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    const id = randomUUID();
    const first = await h.ledger.createTransfer(move(id, a.id, b.id, 10n));
    const again = await h.ledger.createTransfer(move(id, a.id, b.id, 10n));
    expect(again.seq).toBe(first.seq);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(990n);
    await expect(h.ledger.createTransfer(move(id, a.id, b.id, 11n))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('reserves with a pending transfer, then posts part of it', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 1_000n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    const pendingId = randomUUID();
    await h.ledger.createTransfer({ ...move(pendingId, a.id, b.id, 600n), pendingTimeoutSeconds: 60 });
    expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 1_000n, pending: -600n, available: 400n });
    await expect(h.ledger.createTransfer(move(randomUUID(), a.id, b.id, 500n))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    await h.ledger.postPending({ id: randomUUID(), pendingId, amount: 250n });
    expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 750n, pending: 0n, available: 750n });
    expect(balanceOf(await h.reload(b.id)).posted).toBe(250n);
    await expect(h.ledger.voidPending({ id: randomUUID(), pendingId })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('voids and expires holds', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 1_000n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    const voided = randomUUID();
    await h.ledger.createTransfer({ ...move(voided, a.id, b.id, 300n), pendingTimeoutSeconds: 60 });
    await h.ledger.voidPending({ id: randomUUID(), pendingId: voided });
    expect(balanceOf(await h.reload(a.id)).available).toBe(1_000n);
    const expiring = randomUUID();
    await h.ledger.createTransfer({ ...move(expiring, a.id, b.id, 300n), pendingTimeoutSeconds: 1 });
    expect(await h.ledger.expirePending(new Date(Date.now() + 5_000))).toBeGreaterThanOrEqual(1);
    expect((await h.ledger.getTransfer(expiring))!.status).toBe('EXPIRED');
    expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 1_000n, pending: 0n, available: 1_000n });
  });

  it('keeps expiring the other holds when one cannot be released, and reports it', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 1_000n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    const c = await h.fundedAccount(owner, 'EUR', 1_000n);
    const broken = randomUUID();
    const fine = randomUUID();
    await h.ledger.createTransfer({ ...move(broken, a.id, b.id, 300n), pendingTimeoutSeconds: 1 });
    await h.ledger.createTransfer({ ...move(fine, c.id, b.id, 200n), pendingTimeoutSeconds: 1 });
    // Damage one account so releasing its hold would break the counters' own constraint.
    await h.dataSource.query(`UPDATE banking.accounts SET debits_pending = 0 WHERE id = $1`, [a.id]);
    const failed: string[] = [];
    try {
      expect(await h.ledger.expirePending(new Date(Date.now() + 5_000), (id) => failed.push(id))).toBeGreaterThanOrEqual(1);
      expect(failed).toEqual([broken]);
      expect((await h.ledger.getTransfer(fine))!.status).toBe('EXPIRED');
      expect((await h.ledger.getTransfer(broken))!.status).toBe('PENDING');
    } finally {
      await h.dataSource.query(`UPDATE banking.accounts SET debits_pending = 300 WHERE id = $1`, [a.id]);
      await h.ledger.expirePending(new Date(Date.now() + 5_000));
    }
    expect((await h.ledger.getTransfer(broken))!.status).toBe('EXPIRED');
  });
});
