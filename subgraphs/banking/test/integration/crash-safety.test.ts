import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DomainError } from '@meridian/platform';
import { LedgerVerifier, type AccountRecord, type TransferInput, type TransferRecord } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// Connections killed mid-transaction with pg_terminate_backend while workers move
// money: PostgreSQL must roll every interrupted transaction back whole, the
// callers must see an error rather than a success, and the ledger must verify.
// A kill can also land after COMMIT reached the server but before the reply came
// back; such a call fails although its transfer exists, and replaying it with the
// same id must then return that transfer rather than apply it twice.

const realPostgres = Boolean(process.env.DATABASE_URL);
/** The least time the workers and the killer run; they go on, up to MAX_SECONDS, until enough happened. */
const SECONDS = 6;
const MAX_SECONDS = 30;
const WORKERS = 8;
const ACCOUNTS = 10;
const FUNDING = 1_000_000n;
const TOTAL = FUNDING * BigInt(ACCOUNTS);

interface Call {
  kind: 'transfer' | 'hold' | 'post' | 'void';
  run: () => Promise<TransferRecord>;
  id: string;
  outcome?: 'ok' | 'refused' | 'failed';
  error?: unknown;
  result?: TransferRecord;
}

const describeOnPostgres = realPostgres ? describe : describe.skip;
if (!realPostgres) {
  // Said once in the output so a skipped run is never mistaken for a pass.
  process.stdout.write('crash-safety: skipped on the embedded PGlite, which has no backends to terminate; set DATABASE_URL to run it.\n');
}

let h: LedgerHarness;
let customers: AccountRecord[];

describeOnPostgres('crash safety (real PostgreSQL only: PGlite has no backends to terminate)', () => {
  beforeAll(async () => {
    h = await startLedger(16);
    const owner = randomUUID();
    customers = [];
    for (let i = 0; i < ACCOUNTS; i++) customers.push(await h.fundedAccount(owner, 'USD', FUNDING));
  });
  afterAll(() => h?.close());

  const random = (n: number) => Math.floor(Math.random() * n);
  const move = (amount: bigint, extra: Partial<TransferInput> = {}): TransferInput => {
    const from = random(ACCOUNTS);
    const to = (from + 1 + random(ACCOUNTS - 1)) % ACCOUNTS;
    return {
      id: randomUUID(),
      code: 'TRANSFER',
      postings: [
        { accountId: customers[from].id, direction: 'DEBIT', amount, currency: 'USD' },
        { accountId: customers[to].id, direction: 'CREDIT', amount, currency: 'USD' },
      ],
      ...extra,
    };
  };

  async function attempt(call: Call): Promise<void> {
    try {
      call.result = await call.run();
      call.outcome = 'ok';
    } catch (err) {
      call.error = err;
      call.outcome = err instanceof DomainError ? 'refused' : 'failed';
    }
  }

  it(`keeps the ledger whole while backends are terminated under ${WORKERS} workers for ${SECONDS} s or more`, async () => {
    const calls: Call[] = [];
    const started = Date.now();
    let kills = 0;
    // On a loaded machine fewer calls fit in the same time; the run goes on until the kills
    // have hit calls and plenty went through anyway, or MAX_SECONDS have passed.
    const enough = () => kills > 20 && calls.filter((c) => c.outcome === 'failed').length > 5 && calls.filter((c) => c.outcome === 'ok').length > 50;
    const running = () => Date.now() < started + SECONDS * 1_000 || (!enough() && Date.now() < started + MAX_SECONDS * 1_000);

    const worker = async () => {
      while (running()) {
        if (Math.random() < 0.7) {
          const input = move(BigInt(1 + random(50_000)));
          const call: Call = { kind: 'transfer', id: input.id, run: () => h.ledger.createTransfer(input) };
          calls.push(call);
          await attempt(call);
        } else {
          const input = move(BigInt(1 + random(50_000)), { pendingTimeoutSeconds: 3_600 });
          const hold: Call = { kind: 'hold', id: input.id, run: () => h.ledger.createTransfer(input) };
          calls.push(hold);
          await attempt(hold);
          if (hold.outcome !== 'ok') continue;
          const resolution = { id: randomUUID(), pendingId: input.id };
          const call: Call =
            Math.random() < 0.5
              ? { kind: 'post', id: resolution.id, run: () => h.ledger.postPending(resolution) }
              : { kind: 'void', id: resolution.id, run: () => h.ledger.voidPending(resolution) };
          calls.push(call);
          await attempt(call);
        }
      }
    };

    const killer = new Client({ connectionString: h.db.url, application_name: 'meridian-killer' });
    await killer.connect();
    const kill = async () => {
      while (running()) {
        await new Promise((resolve) => setTimeout(resolve, 20 + random(60)));
        const { rows } = await killer.query(
          `SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'meridian-banking' AND pid <> pg_backend_pid()`,
        );
        // Usually one backend, sometimes all of them at once.
        const victims = Math.random() < 0.2 ? rows : rows.length ? [rows[random(rows.length)]] : [];
        for (const { pid } of victims) {
          const { rows: done } = await killer.query(`SELECT pg_terminate_backend($1) AS done`, [pid]);
          if (done[0].done) kills += 1;
        }
      }
    };
    try {
      await Promise.all([...Array.from({ length: WORKERS }, worker), kill()]);
    } finally {
      await killer.end();
    }

    const failed = calls.filter((c) => c.outcome === 'failed');
    const succeeded = calls.filter((c) => c.outcome === 'ok');
    // The kills happened and hit calls, and plenty of calls still went through.
    expect(kills).toBeGreaterThan(20);
    expect(failed.length).toBeGreaterThan(5);
    expect(succeeded.length).toBeGreaterThan(50);
    // A killed call fails with the driver's error; it is never dressed up as a domain refusal.
    for (const c of calls.filter((x) => x.outcome === 'refused')) {
      expect(['INSUFFICIENT_FUNDS', 'CONFLICT']).toContain((c.error as DomainError).code);
    }

    // No success was silent: what a caller was told exists, as it was told.
    for (const c of succeeded) {
      const stored = await h.ledger.getTransfer(c.id);
      expect(stored).not.toBeNull();
      expect(stored!.hash).toBe(c.result!.hash);
      expect(stored!.postings.map((p) => p.id)).toEqual(c.result!.postings.map((p) => p.id));
    }

    // A failed call left either nothing, or (when only the reply was lost) its whole transfer.
    let inDoubt = 0;
    for (const c of failed) {
      const stored = await h.ledger.getTransfer(c.id);
      if (stored) inDoubt += 1;
    }
    expect(inDoubt).toBeLessThan(failed.length);

    // Nothing partial survived: every transfer is whole and the ledger verifies.
    const partial = await h.dataSource.query(`
      SELECT t.id FROM banking.transfers t LEFT JOIN banking.postings p ON p.transfer_id = t.id
      GROUP BY t.id, t.phase, t.seq
      HAVING t.seq IS NULL
          OR (t.phase <> 'VOID_PENDING' AND count(p.id) < 2)
          OR (t.phase = 'VOID_PENDING' AND count(p.id) <> 0)
          OR coalesce(sum(CASE p.direction WHEN 'DEBIT' THEN p.amount ELSE -p.amount END), 0) <> 0`);
    expect(partial).toEqual([]);
    const orphans = await h.dataSource.query(`
      SELECT o.aggregate_id FROM banking.outbox o LEFT JOIN banking.transfers t ON t.id::text = o.aggregate_id WHERE t.id IS NULL`);
    expect(orphans).toEqual([]);
    const report = await new LedgerVerifier(h.dataSource).verify();
    expect(report.mismatch).toBeNull();
    const [{ total }] = await h.dataSource.query(
      `SELECT sum(credits_posted - debits_posted)::text AS total FROM banking.accounts WHERE kind = 'CUSTOMER'`,
    );
    expect(BigInt(total)).toBe(TOTAL);

    // Replaying every failed call with its id settles it exactly once.
    const before = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.postings`);
    let replayedExisting = 0;
    for (const c of failed) {
      const existed = (await h.ledger.getTransfer(c.id)) !== null;
      const again: Call = { ...c, outcome: undefined, error: undefined };
      await attempt(again);
      if (existed) {
        expect(again.outcome).toBe('ok');
        replayedExisting += 1;
      } else {
        expect(again.outcome).not.toBe('failed');
      }
    }
    expect(replayedExisting).toBe(inDoubt);
    const replayedPostings = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.postings`);
    expect(replayedPostings[0].n).toBeGreaterThanOrEqual(before[0].n);
    expect((await new LedgerVerifier(h.dataSource).verify()).mismatch).toBeNull();
  }, 90_000);
});
