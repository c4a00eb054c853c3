import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { LedgerService, LedgerVerifier, type TransferInput, type TransferRecord } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// A transfer id that exists is answered from what is stored, before anything is checked
// against balances: whatever the batch, the forecast or the order of arrival. A replay of a
// transfer that was answered POSTED is never answered INSUFFICIENT_FUNDS.

// Holding the chain head from a second session needs connections that wait on row locks.
const realPostgres = Boolean(process.env.DATABASE_URL);
const itOnPostgres = realPostgres ? it.each : it.skip.each;
if (!realPostgres) {
  process.stdout.write('replay-answers: the held-head cases skipped on the embedded PGlite, whose connections never wait on row locks; set DATABASE_URL to run them.\n');
}

let h: LedgerHarness;
const owner = randomUUID();
beforeAll(async () => {
  h = await startLedger(24);
});
afterAll(() => h.close());
afterEach(async () => {
  expect((await new LedgerVerifier(h.dataSource).verify()).mismatch).toBeNull();
});

const move = (id: string, from: string, to: string, amount: bigint): TransferInput => ({
  id,
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT', amount, currency: 'USD' },
    { accountId: to, direction: 'CREDIT', amount, currency: 'USD' },
  ],
});

type Answer = { ok: true; transfer: TransferRecord } | { ok: false; code: string };
async function answer(ledger: LedgerService, input: TransferInput): Promise<Answer> {
  try {
    return { ok: true, transfer: await ledger.createTransfer(input) };
  } catch (err) {
    return { ok: false, code: String((err as { code?: string }).code ?? err) };
  }
}
const summary = (a: Answer) => (a.ok ? `POSTED #${a.transfer.seq}` : a.code);

/** Waits until `count` of the test database's sessions wait for a lock. */
async function lockWaiters(count: number): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const [{ n }]: { n: number }[] = await h.dataSource.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${count} sessions never waited for a lock`);
}

describe('a replayed transfer answers what happened', () => {
  it('on the forecast path: a replay batched with a transfer that writes, whose balance no longer covers it', async () => {
    const a = await h.fundedAccount(owner, 'USD', 100n);
    const b = await h.fundedAccount(owner, 'USD', 100n);
    // One batch at a time, so what arrives while one runs is batched together and planned on the forecast.
    const ledger = new LedgerService(h.dataSource, { maxConcurrentBatches: 1 });
    await ledger.createTransfer(move(randomUUID(), a.id, b.id, 1n));
    await ledger.createTransfer(move(randomUUID(), b.id, a.id, 1n));
    const original = move(randomUUID(), a.id, b.id, 60n);
    const posted = await ledger.createTransfer(original);
    for (let round = 0; round < 5; round++) {
      // A batch in flight, then the replay and an unrelated transfer queue behind it and run together.
      const blocker = ledger.createTransfer(move(randomUUID(), b.id, a.id, 1n));
      const [replay, other] = await Promise.all([answer(ledger, original), answer(ledger, move(randomUUID(), b.id, a.id, 1n))]);
      await blocker;
      expect(summary(other)).toMatch(/^POSTED/);
      expect(summary(replay)).toBe(`POSTED #${posted.seq}`);
    }
  });

  it('on the transaction path: the same request twice at once gets one answer, also when the second would be refused for funds', async () => {
    const ledger = new LedgerService(h.dataSource, { forecast: false });
    const a = await h.fundedAccount(owner, 'USD', 100n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    for (let round = 0; round < 20; round++) {
      const input = move(randomUUID(), round % 2 ? b.id : a.id, round % 2 ? a.id : b.id, 60n);
      // The second starts its own batch a moment later, while the first holds the chain head.
      const firstAnswer = answer(ledger, input);
      await new Promise((resolve) => setTimeout(resolve, round % 4));
      const [first, second] = await Promise.all([firstAnswer, answer(ledger, input)]);
      expect(summary(second)).toBe(summary(first));
    }
  });

  itOnPostgres([
    ['the transaction path', { forecast: false }],
    ['the forecast path', { forecast: true }],
  ])('a replay sent while its original waits for the chain head, in a batch of its own, answers the stored transfer on %s', async (_path, options) => {
    // The replay's lock statement takes its snapshot before it waits for the head, so it cannot see
    // the original commit; planned as new, it is refused for funds (60 of the 40 left). The lookup
    // after a refusal must find the original and answer it: before it, the replay said INSUFFICIENT_FUNDS.
    const a = await h.fundedAccount(owner, 'USD', 100n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const ledger = new LedgerService(h.dataSource, options);
    // Warm: the forecast (when used) knows both accounts and the head.
    await ledger.createTransfer(move(randomUUID(), a.id, b.id, 1n));
    await ledger.createTransfer(move(randomUUID(), b.id, a.id, 1n));
    const holder = new Client({ connectionString: h.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT last_seq FROM banking.ledger_head WHERE singleton FOR UPDATE');
      const original = move(randomUUID(), a.id, b.id, 60n);
      const first = answer(ledger, original);
      await lockWaiters(1);
      // A batch is running, so the replay starts the second one rather than joining the first.
      const replay = answer(ledger, original);
      await lockWaiters(2);
      await holder.query('ROLLBACK');
      const [said, replayed] = await Promise.all([first, replay]);
      const stored = await ledger.getTransfer(original.id);
      expect(summary(said)).toBe(`POSTED #${stored!.seq}`);
      expect(summary(replayed)).toBe(`POSTED #${stored!.seq}`);
      expect((await h.reload(a.id)).debitsPosted).toBe(1n + 60n);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it.each([
    ['the forecast path', { forecast: true }],
    ['the transaction path', { forecast: false }],
  ])('under load on %s: 16 callers, a third refused for funds, a third of the posted ones replayed', async (_path, options) => {
    const ledger = new LedgerService(h.dataSource, options);
    const [a, b] = [await h.fundedAccount(owner, 'USD', 1_000n), await h.fundedAccount(owner, 'USD', 1_000n)];
    const answers = new Map<string, string[]>();
    const record = (id: string, a: Answer) => answers.set(id, [...(answers.get(id) ?? []), summary(a)]);
    let refused = 0;
    let replays = 0;
    // A fixed number of rounds, not a time budget: on a busy machine the scenario stays the same size.
    await Promise.all(
      Array.from({ length: 16 }, async (_, caller) => {
        for (let n = 0; n < 12; n++) {
          const forward = (caller + n) % 2 === 0;
          const input = move(randomUUID(), forward ? a.id : b.id, forward ? b.id : a.id, BigInt(400 + ((caller * 37 + n * 53) % 700)));
          const first = await answer(ledger, input);
          record(input.id, first);
          if (!first.ok) refused += 1;
          else if ((caller + n) % 3 === 0) {
            replays += 1;
            record(input.id, await answer(ledger, input));
          }
        }
      }),
    );
    const lies = [...answers].filter(([, said]) => said[0].startsWith('POSTED') && said.some((s) => s !== said[0]));
    expect(lies).toEqual([]);
    expect(refused).toBeGreaterThan(10);
    expect(replays).toBeGreaterThan(10);
  });
});
