import { randomUUID } from 'node:crypto';
import { balanceOf, LedgerVerifier, type TransferInput, type TransferRecord } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// Concurrent requests under one transfer id: exactly one transfer is written and
// every caller sees it; other content under that id is IDEMPOTENCY_KEY_REUSED;
// a pending transfer is resolved once, whoever races for it.

let h: LedgerHarness;
const owner = randomUUID();
const CALLS = 20;

beforeAll(async () => {
  // More connections than callers, so the calls really meet in the database rather than in the pool's queue.
  h = await startLedger(24);
});
afterAll(() => h.close());

const move = (id: string, from: string, to: string, amount: bigint, extra: Partial<TransferInput> = {}): TransferInput => ({
  id,
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT', amount, currency: 'USD' },
    { accountId: to, direction: 'CREDIT', amount, currency: 'USD' },
  ],
  ...extra,
});

async function count(sql: string, params: unknown[]): Promise<number> {
  const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return n;
}

function codesOf(results: PromiseSettledResult<TransferRecord>[]): string[] {
  return results.map((r) => (r.status === 'fulfilled' ? 'OK' : ((r.reason as { code?: string }).code ?? String(r.reason))));
}

const same = (t: TransferRecord) => ({ id: t.id, seq: t.seq, hash: t.hash, status: t.status, postings: t.postings.map((p) => p.id) });

afterEach(async () => {
  expect((await new LedgerVerifier(h.dataSource).verify()).mismatch).toBeNull();
});

describe('idempotency under concurrency', () => {
  it(`writes one transfer for ${CALLS} concurrent identical requests, and returns it to every caller`, async () => {
    const a = await h.fundedAccount(owner, 'USD', 10_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const id = randomUUID();
    const results = await Promise.allSettled(Array.from({ length: CALLS }, () => h.ledger.createTransfer(move(id, a.id, b.id, 2_500n))));
    expect(codesOf(results)).toEqual(Array(CALLS).fill('OK'));
    const transfers = results.map((r) => (r as PromiseFulfilledResult<TransferRecord>).value);
    for (const t of transfers) expect(same(t)).toEqual(same(transfers[0]));
    expect(await count(`banking.transfers WHERE id = $1`, [id])).toBe(1);
    expect(await count(`banking.postings WHERE transfer_id = $1`, [id])).toBe(2);
    expect(await count(`banking.outbox WHERE aggregate_id = $1`, [id])).toBe(1);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(7_500n);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(2_500n);
  });

  it('lets one content win a race between two contents under one id; the other gets IDEMPOTENCY_KEY_REUSED', async () => {
    const a = await h.fundedAccount(owner, 'USD', 10_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const id = randomUUID();
    const calls = Array.from({ length: CALLS }, (_, i) => move(id, a.id, b.id, i % 2 === 0 ? 100n : 200n));
    const results = await Promise.allSettled(calls.map((c) => h.ledger.createTransfer(c)));
    const stored = (await h.ledger.getTransfer(id))!;
    const winner = stored.postings[0].amount;
    results.forEach((r, i) => {
      if (calls[i].postings[0].amount === winner) expect(r.status === 'fulfilled' && r.value.seq === stored.seq).toBe(true);
      else expect(r).toMatchObject({ status: 'rejected', reason: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    });
    expect(balanceOf(await h.reload(a.id)).posted).toBe(10_000n - winner);
  });

  it('refuses other content under a used id, whatever the operation, and accepts a reordered metadata object', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const id = randomUUID();
    const first = await h.ledger.createTransfer(move(id, a.id, b.id, 10n, { metadata: { x: 1, y: 'two' }, description: 'Lunch' }));
    const replay = await h.ledger.createTransfer(move(id, a.id, b.id, 10n, { metadata: { y: 'two', x: 1 }, description: 'Lunch' }));
    expect(replay.seq).toBe(first.seq);
    const reused = { code: 'IDEMPOTENCY_KEY_REUSED' };
    await expect(h.ledger.createTransfer(move(id, a.id, b.id, 10n, { metadata: { x: 1, y: 'two' }, description: 'Dinner' }))).rejects.toMatchObject(reused);
    await expect(h.ledger.createTransfer(move(id, b.id, a.id, 10n))).rejects.toMatchObject(reused);
    await expect(h.ledger.createTransfer({ ...move(id, a.id, b.id, 10n), code: 'CARD_PAYMENT' })).rejects.toMatchObject(reused);
    const hold = randomUUID();
    await h.ledger.createTransfer(move(hold, a.id, b.id, 5n, { pendingTimeoutSeconds: 60 }));
    await expect(h.ledger.postPending({ id, pendingId: hold })).rejects.toMatchObject(reused);
    await expect(h.ledger.voidPending({ id, pendingId: hold })).rejects.toMatchObject(reused);
    expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 990n, pending: -5n, available: 985n });
  });

  it('does not store a refused request, so its id can be used again once the refusal no longer applies', async () => {
    const a = await h.fundedAccount(owner, 'USD', 100n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const id = randomUUID();
    await expect(h.ledger.createTransfer(move(id, a.id, b.id, 150n))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await h.ledger.getTransfer(id)).toBeNull();
    const clearing = await h.accounts.systemAccount('CLEARING', 'USD');
    await h.ledger.createTransfer(move(randomUUID(), clearing.id, a.id, 50n));
    expect((await h.ledger.createTransfer(move(id, a.id, b.id, 150n))).status).toBe('POSTED');
  });

  it(`posts a pending transfer once for ${CALLS} concurrent identical postPending calls`, async () => {
    const a = await h.fundedAccount(owner, 'USD', 10_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const pendingId = randomUUID();
    await h.ledger.createTransfer(move(pendingId, a.id, b.id, 4_000n, { pendingTimeoutSeconds: 60 }));
    const id = randomUUID();
    const results = await Promise.allSettled(Array.from({ length: CALLS }, () => h.ledger.postPending({ id, pendingId, amount: 1_500n })));
    expect(codesOf(results)).toEqual(Array(CALLS).fill('OK'));
    const transfers = results.map((r) => (r as PromiseFulfilledResult<TransferRecord>).value);
    for (const t of transfers) expect(same(t)).toEqual(same(transfers[0]));
    expect(await count(`banking.transfers WHERE pending_id = $1`, [pendingId])).toBe(1);
    expect(await count(`banking.postings WHERE transfer_id = $1`, [id])).toBe(2);
    expect((await h.ledger.getTransfer(pendingId))!.status).toBe('POSTED');
    expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 8_500n, pending: 0n, available: 8_500n });
    expect(balanceOf(await h.reload(b.id))).toEqual({ posted: 1_500n, pending: 0n, available: 1_500n });
    await expect(h.ledger.postPending({ id, pendingId, amount: 1_000n })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it(`voids a pending transfer once for ${CALLS} concurrent identical voidPending calls`, async () => {
    const a = await h.fundedAccount(owner, 'USD', 10_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const pendingId = randomUUID();
    await h.ledger.createTransfer(move(pendingId, a.id, b.id, 4_000n, { pendingTimeoutSeconds: 60 }));
    const id = randomUUID();
    const results = await Promise.allSettled(Array.from({ length: CALLS }, () => h.ledger.voidPending({ id, pendingId })));
    expect(codesOf(results)).toEqual(Array(CALLS).fill('OK'));
    expect(new Set(results.map((r) => (r as PromiseFulfilledResult<TransferRecord>).value.seq)).size).toBe(1);
    expect((await h.ledger.getTransfer(pendingId))!.status).toBe('VOIDED');
    expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 10_000n, pending: 0n, available: 10_000n });
  });

  it('lets exactly one of several different resolutions of one pending transfer win; the others get CONFLICT', async () => {
    const a = await h.fundedAccount(owner, 'USD', 100_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    let posted = 0n;
    for (let round = 0; round < 10; round++) {
      const pendingId = randomUUID();
      await h.ledger.createTransfer(move(pendingId, a.id, b.id, 1_000n, { pendingTimeoutSeconds: 60 }));
      // Two in the first round, as the plain case; then a crowd of posts (each its own amount) and voids.
      const racers = round === 0 ? 2 : 8;
      const calls = Array.from({ length: racers }, (_, i) =>
        i % 2 === 0
          ? { kind: 'POST', run: () => h.ledger.postPending({ id: randomUUID(), pendingId, amount: BigInt(100 + i) }) }
          : { kind: 'VOID', run: () => h.ledger.voidPending({ id: randomUUID(), pendingId }) },
      );
      const results = await Promise.allSettled(calls.map((c) => c.run()));
      const codes = codesOf(results);
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(codes.filter((c) => c !== 'OK')).toEqual(Array(racers - 1).fill('CONFLICT'));
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      const resolution = (results[winner] as PromiseFulfilledResult<TransferRecord>).value;
      expect(await count(`banking.transfers WHERE pending_id = $1`, [pendingId])).toBe(1);
      expect((await h.ledger.getTransfer(pendingId))!.status).toBe(calls[winner].kind === 'POST' ? 'POSTED' : 'VOIDED');
      if (calls[winner].kind === 'POST') posted += resolution.postings[0].amount;
      expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 100_000n - posted, pending: 0n, available: 100_000n - posted });
    }
  });
});
