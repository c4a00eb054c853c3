import { randomUUID } from 'node:crypto';
import { closeDataSource, initializeDataSource } from '@meridian/platform';
import { Client } from 'pg';
import { createBankingDataSource, LedgerService, LedgerVerifier, type TransferInput } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// A session that holds an account row or the chain head (an operator's psql, a stuck job) cannot
// stall the bank: ledger statements wait at most the lock timeout (or the statement timeout, when
// that is shorter), a stopped batch is tried once more, then its callers get SERVICE_UNAVAILABLE
// with nothing written, and a retry with the same id succeeds once the lock is gone.
const realPostgres = Boolean(process.env.DATABASE_URL);
const describeOnPostgres = realPostgres ? describe : describe.skip;
if (!realPostgres) {
  process.stdout.write('lock-timeout: skipped on the embedded PGlite, whose connections never wait on row locks; set DATABASE_URL to run it.\n');
}

const LOCK_TIMEOUT_MS = 300;
/** The statement timeout of the case where it, not the lock timeout, stops a statement. */
const STATEMENT_TIMEOUT_MS = 1_000;
const move = (from: string, to: string, amount: bigint, id = randomUUID()): TransferInput => ({
  id,
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT', amount, currency: 'USD' },
    { accountId: to, direction: 'CREDIT', amount, currency: 'USD' },
  ],
});

describeOnPostgres('ledger lock timeout', () => {
  let h: LedgerHarness;
  let holder: Client;
  const owner = randomUUID();
  beforeAll(async () => {
    h = await startLedger(8, { lockTimeoutMs: LOCK_TIMEOUT_MS, statementTimeoutMs: 10_000 });
    holder = new Client({ connectionString: h.db.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder.end();
    await h.close();
  });
  afterEach(async () => {
    await holder.query('ROLLBACK').catch(() => undefined);
    expect((await new LedgerVerifier(h.dataSource).verify()).mismatch).toBeNull();
  });

  /** Holds `sql`'s row locks in the other session until the test rolls back. */
  async function hold(sql: string, params: unknown[] = []): Promise<void> {
    await holder.query('BEGIN');
    await holder.query(sql, params);
  }

  async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
    const started = Date.now();
    const [result] = await Promise.allSettled([run()]);
    return { ms: Date.now() - started, result };
  }

  it.each([
    ['the forecast path', { forecast: true }],
    ['the transaction path', { forecast: false }],
  ])('answers SERVICE_UNAVAILABLE, having written nothing, while another session holds an account row, on %s; the retry succeeds', async (_path, options) => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const ledger = new LedgerService(h.dataSource, options);
    // Warm: the forecast knows both accounts and the head.
    await ledger.createTransfer(move(a.id, b.id, 1n));
    const transfers = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.transfers`);
    await hold(`SELECT id FROM banking.accounts WHERE id = $1 FOR UPDATE`, [b.id]);
    const input = move(a.id, b.id, 100n);
    const stalled = await timed(() => ledger.createTransfer(input));
    expect(stalled.result).toMatchObject({ status: 'rejected', reason: { code: 'SERVICE_UNAVAILABLE' } });
    // Two tries of one lock wait each, and nothing like the statement timeout.
    expect(stalled.ms).toBeGreaterThanOrEqual(2 * LOCK_TIMEOUT_MS - 50);
    expect(stalled.ms).toBeLessThan(5_000);
    expect(await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.transfers`)).toEqual(transfers);
    expect(await ledger.getTransfer(input.id)).toBeNull();

    await holder.query('ROLLBACK');
    const retried = await ledger.createTransfer(input);
    expect(retried.status).toBe('POSTED');
    expect((await h.reload(b.id)).creditsPosted).toBe(101n);
  });

  it('gives up on a chain head held by another session within the lock timeouts, and works again once it is released', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const ledger = new LedgerService(h.dataSource);
    await hold(`SELECT last_seq FROM banking.ledger_head WHERE singleton FOR UPDATE`);
    const stalled = await timed(() => ledger.createTransfer(move(a.id, b.id, 5n)));
    expect(stalled.result).toMatchObject({ status: 'rejected', reason: { code: 'SERVICE_UNAVAILABLE' } });
    expect(stalled.ms).toBeLessThan(5_000);
    await holder.query('ROLLBACK');
    expect((await ledger.createTransfer(move(a.id, b.id, 5n))).status).toBe('POSTED');
  });

  it.each([
    ['the forecast path', { forecast: true }],
    ['the transaction path', { forecast: false }],
  ])('answers SERVICE_UNAVAILABLE after exactly one retry when the statement timeout (57014) stops a batch before the lock timeout would, on %s', async (_path, options) => {
    // A deployment may set the statement timeout below the lock timeout: then a lock held
    // past it stops the statement with 57014, which is retried once like a lock timeout.
    const stalling = createBankingDataSource(h.db.url, 2, { lockTimeoutMs: 30_000, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    await initializeDataSource(stalling, false);
    try {
      const a = await h.fundedAccount(owner, 'USD', 1_000n);
      const b = await h.fundedAccount(owner, 'USD', 0n);
      const ledger = new LedgerService(stalling, options);
      await ledger.createTransfer(move(a.id, b.id, 1n));
      const transfers = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.transfers`);
      await hold(`SELECT id FROM banking.accounts WHERE id = $1 FOR UPDATE`, [a.id]);
      const input = move(a.id, b.id, 100n);
      const stalled = await timed(() => ledger.createTransfer(input));
      expect(stalled.result).toMatchObject({ status: 'rejected', reason: { code: 'SERVICE_UNAVAILABLE' } });
      // Two tries, each stopped by the statement timeout: not one, not three, and not the lock timeout.
      expect(stalled.ms).toBeGreaterThanOrEqual(2 * STATEMENT_TIMEOUT_MS - 50);
      expect(stalled.ms).toBeLessThan(3 * STATEMENT_TIMEOUT_MS);
      expect(await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.transfers`)).toEqual(transfers);
      expect(await ledger.getTransfer(input.id)).toBeNull();
      expect((await h.reload(a.id)).debitsPosted).toBe(1n);

      await holder.query('ROLLBACK');
      expect((await ledger.createTransfer(input)).status).toBe('POSTED');
    } finally {
      await closeDataSource(stalling);
    }
  });
});
