import { randomUUID } from 'node:crypto';
import { LedgerService, LedgerVerifier, type TransferInput, type TransferRecord } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// A transfer id that exists is answered from what is stored, before anything is checked
// against balances: whatever the batch, the forecast or the order of arrival. A replay of a
// transfer that was answered POSTED is never answered INSUFFICIENT_FUNDS.

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
    const until = Date.now() + 1_500;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    await Promise.all(
      Array.from({ length: 16 }, async (_, caller) => {
        while (Date.now() < until) {
          const forward = (caller + Math.floor(random() * 2)) % 2 === 0;
          const input = move(randomUUID(), forward ? a.id : b.id, forward ? b.id : a.id, BigInt(400 + Math.floor(random() * 700)));
          const first = await answer(ledger, input);
          record(input.id, first);
          if (!first.ok) refused += 1;
          else if (random() < 0.34) {
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
