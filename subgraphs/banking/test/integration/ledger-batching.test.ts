import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DomainError } from '@meridian/platform';
import { balanceOf, LedgerService, LedgerVerifier, type AccountRecord, type TransferInput, type TransferRecord } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// Requests that arrive together run in one transaction (group commit). Each is
// applied in arrival order and accepted or refused on its own; each caller gets
// its own transfer or its own error; a batch that fails leaves nothing behind.

const realPostgres = Boolean(process.env.DATABASE_URL);
if (!realPostgres) {
  process.stdout.write('ledger-batching: the test that terminates a backend mid-batch is skipped on the embedded PGlite, which has no backends to terminate; set DATABASE_URL to run it.\n');
}

let h: LedgerHarness;
const owner = randomUUID();
beforeAll(async () => {
  h = await startLedger();
});
afterAll(() => h.close());
afterEach(async () => {
  jest.restoreAllMocks();
  expect((await new LedgerVerifier(h.dataSource).verify()).mismatch).toBeNull();
});

const move = (from: string, to: string, amount: bigint, extra: Partial<TransferInput> = {}): TransferInput => ({
  id: randomUUID(),
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT', amount, currency: 'USD' },
    { accountId: to, direction: 'CREDIT', amount, currency: 'USD' },
  ],
  ...extra,
});

/** A batch written on the ledger's forecast: one statement that commits on its own. */
const isForecastWrite = (sql: unknown) => typeof sql === 'string' && sql.includes('banking.expect_ledger_state(');

/** How many transactions the ledger ran while `run` ran: opened with BEGIN, or one self-committing forecast write. */
async function transactionsDuring<T>(run: () => Promise<T>): Promise<{ result: T; transactions: number }> {
  const spy = jest.spyOn(Client.prototype, 'query');
  try {
    const result = await run();
    const transactions = spy.mock.calls.filter(([sql]) => sql === 'BEGIN' || isForecastWrite(sql)).length;
    return { result, transactions };
  } finally {
    spy.mockRestore();
  }
}

function outcome(r: PromiseSettledResult<TransferRecord>): string {
  if (r.status === 'fulfilled') return 'OK';
  return r.reason instanceof DomainError ? r.reason.code : `FAILED: ${String(r.reason)}`;
}

async function stored(ids: string[]): Promise<number> {
  const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.transfers WHERE id = ANY($1::uuid[])`, [ids]);
  return n;
}

describe('group commit', () => {
  it('runs concurrent transfers in one transaction, in arrival order, refusing only those that no longer fit', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    // Twenty transfers of 100 from an account holding 1,000: the first ten in arrival order fit.
    const inputs = Array.from({ length: 20 }, () => move(a.id, b.id, 100n));
    const { result: results, transactions } = await transactionsDuring(() => Promise.allSettled(inputs.map((i) => h.ledger.createTransfer(i))));
    expect(transactions).toBe(1);
    expect(results.map(outcome)).toEqual([...Array(10).fill('OK'), ...Array(10).fill('INSUFFICIENT_FUNDS')]);
    const written = results.slice(0, 10).map((r) => (r as PromiseFulfilledResult<TransferRecord>).value);
    // Consecutive chain positions, running balances in order, and each caller its own transfer.
    expect(written.map((t) => t.seq! - written[0].seq!)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    expect(written.map((t) => t.postings[0].balanceAfter)).toEqual(Array.from({ length: 10 }, (_, i) => 900n - 100n * BigInt(i)));
    expect(written.map((t) => t.id)).toEqual(inputs.slice(0, 10).map((i) => i.id));
    for (const r of results.slice(10)) {
      expect((r as PromiseRejectedResult).reason.message).toBe(`Account ${a.number} does not have enough available funds.`);
    }
    expect(await stored(inputs.slice(10).map((i) => i.id))).toBe(0);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(0n);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(1_000n);
    for (const t of written) expect(await h.ledger.getTransfer(t.id)).toEqual(t);
  });

  it('gives every refused transfer of a batch its own code and message, and writes the others', async () => {
    const a = await h.fundedAccount(owner, 'USD', 10_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const closed = await h.fundedAccount(owner, 'USD', 0n);
    await h.accounts.closeAccount(closed.id);
    const frozen = await h.fundedAccount(owner, 'USD', 500n);
    await h.dataSource.query(`UPDATE banking.accounts SET status = 'FROZEN' WHERE id = $1`, [frozen.id]);
    const eur = await h.fundedAccount(owner, 'EUR', 0n);
    const used = await h.ledger.createTransfer(move(a.id, b.id, 1n));
    const missing = randomUUID();
    const cases: [TransferInput, string, string | null][] = [
      [move(a.id, b.id, 100n), 'OK', null],
      [move(a.id, closed.id, 100n), 'CONFLICT', `Account ${closed.number} is closed.`],
      [move(a.id, b.id, 200n), 'OK', null],
      [move(frozen.id, b.id, 100n), 'CONFLICT', `Account ${frozen.number} is frozen.`],
      [move(a.id, eur.id, 100n), 'BAD_USER_INPUT', `Account ${eur.number} holds EUR, not USD.`],
      [move(a.id, missing, 100n), 'NOT_FOUND', `Account ${missing} does not exist.`],
      [move(b.id, a.id, 1_000_000n), 'INSUFFICIENT_FUNDS', `Account ${b.number} does not have enough available funds.`],
      [{ ...move(a.id, b.id, 2n), id: used.id }, 'IDEMPOTENCY_KEY_REUSED', `Transfer id ${used.id} was already used for a different request.`],
      [move(b.id, a.id, 300n), 'OK', null],
    ];
    const { result: results, transactions } = await transactionsDuring(() => Promise.allSettled(cases.map(([input]) => h.ledger.createTransfer(input))));
    expect(transactions).toBe(1);
    expect(results.map(outcome)).toEqual(cases.map(([, code]) => code));
    results.forEach((r, i) => {
      if (r.status === 'rejected') expect(r.reason.message).toBe(cases[i][2]);
    });
    // The last transfer spends what the two accepted before it credited to b.
    expect(balanceOf(await h.reload(b.id)).posted).toBe(1n);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(9_999n);
    expect(await stored(cases.filter(([, code]) => code !== 'OK' && code !== 'IDEMPOTENCY_KEY_REUSED').map(([i]) => i.id))).toBe(0);
  });

  it('writes a transfer once when its id comes several times in one batch, and refuses other content under it', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const same = move(a.id, b.id, 100n);
    const refusedFirst = move(a.id, b.id, 5_000n);
    const calls: [TransferInput, string][] = [
      [same, 'OK'],
      [same, 'OK'],
      [{ ...same, postings: move(a.id, b.id, 101n).postings }, 'IDEMPOTENCY_KEY_REUSED'],
      [same, 'OK'],
      // Refused, so its id stays free: the same id with content that fits goes through.
      [refusedFirst, 'INSUFFICIENT_FUNDS'],
      [{ ...refusedFirst, postings: move(a.id, b.id, 50n).postings }, 'OK'],
    ];
    const { result: results, transactions } = await transactionsDuring(() => Promise.allSettled(calls.map(([input]) => h.ledger.createTransfer(input))));
    expect(transactions).toBe(1);
    expect(results.map(outcome)).toEqual(calls.map(([, code]) => code));
    const [first, second, , fourth] = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
    expect(second).toEqual(first);
    expect(fourth).toEqual(first);
    expect(second).not.toBe(first);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(850n);
    const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.postings WHERE transfer_id = $1`, [same.id]);
    expect(n).toBe(2);
  });

  it('resolves pending transfers in one batch: one resolution per hold wins, and a hold and its release can share a batch with transfers', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const holds = await Promise.all([1, 2, 3].map(() => h.ledger.createTransfer(move(a.id, b.id, 100n, { pendingTimeoutSeconds: 600 }))));
    expect(balanceOf(await h.reload(a.id)).available).toBe(700n);
    const { result: results, transactions } = await transactionsDuring(() =>
      Promise.allSettled([
        h.ledger.postPending({ id: randomUUID(), pendingId: holds[0].id, amount: 40n }),
        h.ledger.voidPending({ id: randomUUID(), pendingId: holds[0].id }),
        h.ledger.voidPending({ id: randomUUID(), pendingId: holds[1].id }),
        // Spends the 100 the void just before it released.
        h.ledger.createTransfer(move(a.id, b.id, 800n)),
        h.ledger.postPending({ id: randomUUID(), pendingId: holds[2].id }),
        h.ledger.postPending({ id: randomUUID(), pendingId: randomUUID() }),
      ]),
    );
    expect(transactions).toBe(1);
    expect(results.map(outcome)).toEqual(['OK', 'CONFLICT', 'OK', 'OK', 'OK', 'NOT_FOUND']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe(`Transfer ${holds[0].id} is already posted.`);
    expect(balanceOf(await h.reload(a.id))).toEqual({ posted: 1_000n - 40n - 800n - 100n, pending: 0n, available: 60n });
    expect(balanceOf(await h.reload(b.id))).toEqual({ posted: 940n, pending: 0n, available: 940n });
    expect((await h.ledger.getTransfer(holds[1].id))!.status).toBe('VOIDED');
  });

  it('starts a lone request at once, and batches what arrives while a transaction runs, up to the batch size', async () => {
    const a = await h.fundedAccount(owner, 'USD', 100_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const ledger = new LedgerService(h.dataSource, { maxBatchSize: 4, maxConcurrentBatches: 1 });
    const lone = await transactionsDuring(() => ledger.createTransfer(move(a.id, b.id, 1n)));
    expect(lone.transactions).toBe(1);
    // The first goes alone (nothing ran when it came); the nine behind it go four at a time.
    const { result, transactions } = await transactionsDuring(async () => {
      const first = ledger.createTransfer(move(a.id, b.id, 1n));
      await new Promise((resolve) => setImmediate(resolve));
      return Promise.all([first, ...Array.from({ length: 9 }, () => ledger.createTransfer(move(a.id, b.id, 1n)))]);
    });
    expect(result).toHaveLength(10);
    expect(transactions).toBe(4);
    const seqs = result.map((t) => t.seq!);
    expect([...seqs].sort((x, y) => (x < y ? -1 : 1))).toEqual(seqs);
  });

  it('keeps the other requests of a batch when the database refuses one of them', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    // jsonb cannot hold U+0000, which no check before the database looks for: PostgreSQL refuses the whole statement.
    const bad = move(a.id, b.id, 10n, { metadata: { note: 'nul\u0000' } });
    const good = [move(a.id, b.id, 20n), move(a.id, b.id, 30n)];
    const results = await Promise.allSettled([good[0], bad, good[1]].map((i) => h.ledger.createTransfer(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await stored([bad.id])).toBe(0);
    expect(await stored(good.map((i) => i.id))).toBe(2);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(50n);
  });
});

// Both ways a batch is written: in a transaction on what it locks (a ledger that has
// not seen its accounts yet), and as one self-committing statement planned on the
// ledger's forecast (a ledger that has).
describe.each([
  ['in a transaction on what it locks', false],
  ['as one statement on the forecast', true],
])('a batch that fails, written %s', (_mode, onForecast) => {
  let a: AccountRecord;
  let b: AccountRecord;
  let ledger: LedgerService;
  beforeEach(async () => {
    a = await h.fundedAccount(owner, 'USD', 10_000n);
    b = await h.fundedAccount(owner, 'USD', 0n);
    ledger = onForecast ? await h.warmLedger(a.id, b.id) : new LedgerService(h.dataSource);
  });

  /** The statement that writes the batch. */
  const isWrite = (sql: string) => (onForecast ? isForecastWrite(sql) : sql.startsWith('WITH counters'));
  /** The statement that commits it. */
  const isCommit = (sql: string) => (onForecast ? isForecastWrite(sql) : sql === 'COMMIT');

  /** Fails the next statement `matches` picks, after `before` has run on its connection. */
  function failNext(matches: (sql: string) => boolean, before: (client: Client, run: () => Promise<unknown>) => Promise<never>): void {
    const original = Client.prototype.query;
    let armed = true;
    jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0].trimStart() : '';
      if (armed && matches(text)) {
        armed = false;
        return before(this, () => (original as (...a: unknown[]) => Promise<unknown>).apply(this, args));
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
  }

  async function terminate(client: Client): Promise<void> {
    const pid = (client as unknown as { processID: number }).processID;
    const killer = new Client({ connectionString: h.db.url });
    await killer.connect();
    try {
      await killer.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
    } finally {
      await killer.end();
    }
  }

  (realPostgres ? it : it.skip)('fails every caller when its connection is terminated before the write, and leaves nothing of it', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => move(a.id, b.id, BigInt(10 + i)));
    failNext(isWrite, async (client, run) => {
      await terminate(client);
      await run();
      throw new Error('the statement ran on a terminated connection');
    });
    const results = await Promise.allSettled(inputs.map((i) => ledger.createTransfer(i)));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).not.toBeInstanceOf(DomainError);
    }
    expect(await stored(inputs.map((i) => i.id))).toBe(0);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(10_000n);
    // Each caller retries with its id and gets its transfer, once.
    const retried = await Promise.all(inputs.map((i) => ledger.createTransfer(i)));
    expect(retried.map((t) => t.id)).toEqual(inputs.map((i) => i.id));
    expect(balanceOf(await h.reload(b.id)).posted).toBe(inputs.reduce((sum, i) => sum + i.postings[0].amount, 0n));
  });

  it('fails every caller when the reply to its commit is lost, and gives each its transfer, once, on retry', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => move(a.id, b.id, BigInt(10 + i)));
    failNext(isCommit, async (client, run) => {
      await run();
      // The commit happened; the caller only loses the reply, as when the connection drops just then.
      if (realPostgres) await terminate(client);
      throw new Error('Connection terminated unexpectedly');
    });
    const results = await Promise.allSettled(inputs.map((i) => ledger.createTransfer(i)));
    expect(results.map((r) => r.status)).toEqual(Array(inputs.length).fill('rejected'));
    expect(await stored(inputs.map((i) => i.id))).toBe(inputs.length);
    const total = inputs.reduce((sum, i) => sum + i.postings[0].amount, 0n);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(total);
    const retried = await Promise.all(inputs.map((i) => ledger.createTransfer(i)));
    for (const [i, t] of retried.entries()) expect(await ledger.getTransfer(inputs[i].id)).toEqual(t);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(total);
    // And the ledger goes on: the next transfer sees the balances the lost batch left.
    const next = await ledger.createTransfer(move(b.id, a.id, 5n));
    expect(next.postings[0].balanceAfter).toBe(total - 5n);
  });
});
