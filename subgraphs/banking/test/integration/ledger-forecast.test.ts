import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DomainError } from '@meridian/platform';
import { balanceOf, LedgerVerifier, type TransferInput } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// A ledger plans a batch of transfers on the state it expects the batches before
// it to leave, and writes it in one statement that checks that state under lock
// first. These tests make the forecast wrong on purpose (another ledger process
// wrote, an account was closed, a balance drained) and check that nothing is
// ever written on a wrong forecast: the batch runs again on what it locks.

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

const move = (from: string, to: string, amount: bigint): TransferInput => ({
  id: randomUUID(),
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT', amount, currency: 'USD' },
    { accountId: to, direction: 'CREDIT', amount, currency: 'USD' },
  ],
});

/** The statements a ledger sent while `run` ran, classified. */
async function statementsDuring<T>(run: () => Promise<T>): Promise<{ result: T; forecastWrites: number; transactions: number }> {
  const spy = jest.spyOn(Client.prototype, 'query');
  try {
    const result = await run();
    const texts = spy.mock.calls.map(([sql]) => (typeof sql === 'string' ? sql : ''));
    return {
      result,
      forecastWrites: texts.filter((sql) => sql.includes('banking.expect_ledger_state(')).length,
      transactions: texts.filter((sql) => sql === 'BEGIN').length,
    };
  } finally {
    spy.mockRestore();
  }
}

describe('writing on the forecast', () => {
  it('writes a batch of transfers the ledger has seen the accounts of as one statement, without a transaction', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const ledger = await h.warmLedger(a.id, b.id);
    const { result, forecastWrites, transactions } = await statementsDuring(() =>
      Promise.all([ledger.createTransfer(move(a.id, b.id, 100n)), ledger.createTransfer(move(a.id, b.id, 200n))]),
    );
    expect({ forecastWrites, transactions }).toEqual({ forecastWrites: 1, transactions: 0 });
    expect(result.map((t) => t.postings[0].balanceAfter)).toEqual([900n, 700n]);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(300n);
  });

  it('writes nothing on a forecast another ledger process made stale, and runs the batch again on what it locks', async () => {
    const a = await h.fundedAccount(owner, 'USD', 1_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const first = await h.warmLedger(a.id, b.id);
    const second = await h.warmLedger(a.id, b.id);
    // The second process moves money; the first still expects the balances before it.
    await second.createTransfer(move(a.id, b.id, 300n));
    const { result, forecastWrites, transactions } = await statementsDuring(() => first.createTransfer(move(a.id, b.id, 100n)));
    // One statement refused on the stale forecast, then one transaction on the locked state.
    expect({ forecastWrites, transactions }).toEqual({ forecastWrites: 1, transactions: 1 });
    expect(result.postings.map((p) => p.balanceAfter)).toEqual([600n, 400n]);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(600n);
    // The first process has now learnt the state: its next batch is written on the forecast again.
    const next = await statementsDuring(() => first.createTransfer(move(a.id, b.id, 50n)));
    expect({ forecastWrites: next.forecastWrites, transactions: next.transactions }).toEqual({ forecastWrites: 1, transactions: 0 });
  });

  it('refuses a transfer from an account another process drained, though the forecast still shows the money', async () => {
    const a = await h.fundedAccount(owner, 'USD', 500n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const first = await h.warmLedger(a.id, b.id);
    const second = await h.warmLedger(a.id, b.id);
    await second.createTransfer(move(a.id, b.id, 500n));
    const refused = await first.createTransfer(move(a.id, b.id, 400n)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('INSUFFICIENT_FUNDS');
    expect(balanceOf(await h.reload(a.id)).posted).toBe(0n);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(500n);
  });

  it('accepts a transfer the forecast would refuse when another process has funded the account since', async () => {
    const a = await h.fundedAccount(owner, 'USD', 100n);
    const b = await h.fundedAccount(owner, 'USD', 1_000n);
    const first = await h.warmLedger(a.id, b.id);
    const second = await h.warmLedger(a.id, b.id);
    await second.createTransfer(move(b.id, a.id, 500n));
    // The first ledger still expects 100 on a: a refusal must rest on what is locked, not on that.
    const accepted = await first.createTransfer(move(a.id, b.id, 300n));
    expect(accepted.postings[0].balanceAfter).toBe(300n);
    expect(balanceOf(await h.reload(a.id)).posted).toBe(300n);
  });

  it('refuses a transfer to an account closed after the ledger last saw it', async () => {
    const a = await h.fundedAccount(owner, 'USD', 500n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const ledger = await h.warmLedger(a.id, b.id);
    await h.accounts.closeAccount(b.id);
    const refused = await ledger.createTransfer(move(a.id, b.id, 100n)).catch((err: unknown) => err);
    expect((refused as DomainError).code).toBe('CONFLICT');
    expect(balanceOf(await h.reload(b.id)).posted).toBe(0n);
    expect((await h.reload(b.id)).status).toBe('CLOSED');
  });

  it('keeps many batches in flight from two processes on the same accounts consistent', async () => {
    const accounts = await Promise.all(Array.from({ length: 6 }, () => h.fundedAccount(owner, 'USD', 10_000n)));
    const ledgers = [await h.warmLedger(accounts[0].id, accounts[1].id), await h.warmLedger(accounts[0].id, accounts[1].id)];
    // From account i mod 6 to one 1 to 5 places on, so never to itself.
    const inputs = Array.from({ length: 300 }, (_, i) => move(accounts[i % 6].id, accounts[(i + 1 + (i % 5)) % 6].id, BigInt(1 + (i % 37))));
    const results = await Promise.allSettled(inputs.map((input, i) => ledgers[i % 2].createTransfer(input)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // Every account's balance is what its transfers say, and the chain holds them in order.
    const reloaded = await Promise.all(accounts.map((a) => h.reload(a.id)));
    const expected = accounts.map((a) =>
      inputs.reduce(
        (sum, input) => sum + (input.postings[1].accountId === a.id ? input.postings[1].amount : 0n) - (input.postings[0].accountId === a.id ? input.postings[0].amount : 0n),
        10_000n,
      ),
    );
    expect(reloaded.map((a) => balanceOf(a).posted)).toEqual(expected);
  });

  it('runs a batch refused on a stale forecast again on what it locks, however often another process writes first', async () => {
    const a = await h.fundedAccount(owner, 'USD', 100_000n);
    const b = await h.fundedAccount(owner, 'USD', 0n);
    const c = await h.fundedAccount(owner, 'USD', 100_000n);
    const d = await h.fundedAccount(owner, 'USD', 0n);
    const first = await h.warmLedger(a.id, b.id);
    const second = await h.warmLedger(c.id, d.id);
    // Before every statement the first process writes on its forecast, the second moves the chain head on,
    // so each forecast the first one makes is stale by the time it is checked.
    const inputs = Array.from({ length: 200 }, (_, i) => move(a.id, b.id, BigInt(1 + i)));
    const query = Client.prototype.query;
    const forecastWrites = new Map<string, number>();
    jest.spyOn(Client.prototype, 'query').mockImplementation(async function (this: Client, ...args: unknown[]) {
      const [sql] = args;
      const params = JSON.stringify(args[1] ?? null);
      if (typeof sql === 'string' && sql.includes('banking.expect_ledger_state(') && params.includes(a.id)) {
        for (const input of inputs) if (params.includes(input.id)) forecastWrites.set(input.id, (forecastWrites.get(input.id) ?? 0) + 1);
        await second.createTransfer(move(c.id, d.id, 1n));
      }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    // Sent a few at a time, so batches are planned while others are written.
    const results = await Promise.allSettled(
      inputs.map((input, i) => new Promise((resolve) => setTimeout(resolve, i % 50)).then(() => first.createTransfer(input))),
    );
    jest.restoreAllMocks();
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // A batch tries its forecast on its first attempt only (twice if the batch it was planned on was still
    // being written); once refused, it runs in a transaction on what it locks.
    expect(forecastWrites.size).toBeGreaterThan(0);
    expect(Math.max(...forecastWrites.values())).toBeLessThanOrEqual(2);
    expect(balanceOf(await h.reload(b.id)).posted).toBe(inputs.reduce((sum, t) => sum + t.postings[1].amount, 0n));
  });
});
