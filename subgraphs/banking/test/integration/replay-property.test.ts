import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { LedgerService, LedgerVerifier, type TransferInput, type TransferRecord } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// A property over random interleavings of transfers, holds, their resolutions and replays of
// each (same request, or other content under the same id), on both write paths: for every id,
// every successful answer is the stored transfer; once a success has been answered, every
// later request under that id answers it (same request) or IDEMPOTENCY_KEY_REUSED (other
// content), never a fresh decision. A refusal is not stored, so a later attempt may succeed.

let h: LedgerHarness;
beforeAll(async () => {
  h = await startLedger(24);
});
afterAll(() => h.close());

type Op =
  | { kind: 'transfer'; from: number; to: number; amount: bigint; pending: boolean; delay: number }
  | { kind: 'resolve'; of: number; action: 'POST' | 'VOID'; delay: number }
  | { kind: 'replay'; of: number; same: boolean; after: boolean; delay: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(2), to: fc.nat(1), amount: fc.bigInt(1n, 120n), pending: fc.boolean(), delay: fc.nat(25) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resolve' as const), of: fc.nat(), action: fc.constantFrom('POST' as const, 'VOID' as const), delay: fc.nat(25) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replay' as const), of: fc.nat(), same: fc.boolean(), after: fc.boolean(), delay: fc.nat(25) }) },
);

/** A request to the ledger and what it was answered, with when. */
interface Call {
  id: string;
  /** Same content, same key. */
  content: string;
  run: () => Promise<TransferRecord>;
  sentAt?: number;
  answeredAt?: number;
  answer?: { ok: true; transfer: TransferRecord } | { ok: false; code: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const view = (t: TransferRecord) => ({ id: t.id, seq: t.seq, hash: t.hash, phase: t.phase, postings: t.postings.map((p) => `${p.id}:${p.amount}`) });

describe('replays answer what happened, over random interleavings', () => {
  it.each([
    ['the forecast path', true],
    ['the transaction path', false],
  ])('on %s', async (_path, forecast) => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 60 }), fc.integer({ min: 1, max: 2 }), fc.array(fc.bigInt(40n, 200n), { minLength: 3, maxLength: 3 }), async (ops, slots, balances) => {
        const owner = randomUUID();
        const accounts = await Promise.all(balances.map((b) => h.fundedAccount(owner, 'USD', b)));
        const ledger = new LedgerService(h.dataSource, { forecast, maxConcurrentBatches: slots });
        // Warm the forecast on these accounts, as a running process would have it.
        await ledger.createTransfer(move(accounts[0].id, accounts[1].id, 1n));
        await ledger.createTransfer(move(accounts[1].id, accounts[2].id, 1n));

        const calls: Call[] = [];
        const done: Promise<void>[] = [];
        const keyed = calls; // Calls that carry an id a replay can reuse.
        for (const op of ops) {
          let call: Call | undefined;
          let waitFor: Promise<void> | undefined;
          if (op.kind === 'transfer') {
            const input = move(accounts[op.from].id, accounts[(op.from + 1 + op.to) % 3].id, op.amount, randomUUID(), op.pending);
            call = { id: input.id, content: JSON.stringify(input, big), run: () => ledger.createTransfer(input) };
          } else if (op.kind === 'resolve') {
            const holds = keyed.filter((c) => c.content.includes('"pendingTimeoutSeconds"'));
            if (holds.length === 0) continue;
            const pendingId = holds[op.of % holds.length].id;
            const input = { id: randomUUID(), pendingId };
            call = { id: input.id, content: `${op.action} ${pendingId}`, run: () => (op.action === 'POST' ? ledger.postPending(input) : ledger.voidPending(input)) };
          } else {
            if (keyed.length === 0) continue;
            const original = keyed[op.of % keyed.length];
            call = op.same ? { ...original, sentAt: undefined, answeredAt: undefined, answer: undefined } : otherContent(original, ledger, accounts[2].id);
            if (op.after) waitFor = done[calls.indexOf(original)];
          }
          const started = (async () => {
            if (waitFor) await waitFor;
            await sleep(op.delay);
            call!.sentAt = performance.now();
            try {
              call!.answer = { ok: true, transfer: await call!.run() };
            } catch (err) {
              call!.answer = { ok: false, code: String((err as { code?: string }).code ?? err) };
            }
            call!.answeredAt = performance.now();
          })();
          calls.push(call);
          done.push(started);
        }
        await Promise.all(done);

        const problems: string[] = [];
        for (const id of new Set(calls.map((c) => c.id))) {
          const stored = await ledger.getTransfer(id);
          const mine = calls.filter((c) => c.id === id);
          const successes = mine.filter((c) => c.answer!.ok);
          if (successes.length > 0 && !stored) problems.push(`${id}: answered as written but not stored`);
          for (const c of successes) {
            const got = (c.answer as { transfer: TransferRecord }).transfer;
            if (stored && JSON.stringify(view(got), big) !== JSON.stringify(view(stored), big)) problems.push(`${id}: a success differs from what is stored`);
          }
          const contents = new Set(successes.map((c) => c.content));
          if (contents.size > 1) problems.push(`${id}: two different requests both succeeded`);
          // Once a success was answered, later requests under the id answer from what is stored.
          const firstSuccess = Math.min(...successes.map((c) => c.answeredAt!));
          for (const c of mine.filter((x) => x.sentAt! > firstSuccess)) {
            const winner = successes[0].content;
            const expected = c.content === winner ? 'OK' : 'IDEMPOTENCY_KEY_REUSED';
            const got = c.answer!.ok ? 'OK' : (c.answer as { code: string }).code;
            if (got !== expected) problems.push(`${id}: sent after its success was answered, answered ${got} instead of ${expected}`);
          }
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: 15, endOnFailure: true },
    );
    expect((await new LedgerVerifier(h.dataSource).verify()).mismatch).toBeNull();
  }, 120_000);
});

function move(from: string, to: string, amount: bigint, id = randomUUID(), pending = false): TransferInput {
  return {
    id,
    code: 'TRANSFER',
    postings: [
      { accountId: from, direction: 'DEBIT', amount, currency: 'USD' },
      { accountId: to, direction: 'CREDIT', amount, currency: 'USD' },
    ],
    ...(pending ? { pendingTimeoutSeconds: 3_600 } : {}),
  };
}

/** The same id with other content: another amount or account, or the other resolution. */
function otherContent(original: Call, ledger: LedgerService, account: string): Call {
  if (original.content.startsWith('POST ') || original.content.startsWith('VOID ')) {
    const [action, pendingId] = original.content.split(' ');
    const other = action === 'POST' ? 'VOID' : 'POST';
    const input = { id: original.id, pendingId };
    return { id: original.id, content: `${other} ${pendingId}`, run: () => (other === 'POST' ? ledger.postPending(input) : ledger.voidPending(input)) };
  }
  const input = JSON.parse(original.content, unbig) as TransferInput;
  const changed: TransferInput = { ...input, postings: input.postings.map((p) => ({ ...p, amount: p.amount + 1n })) };
  if (changed.postings[1].accountId !== account && changed.postings[0].accountId !== account) changed.postings[1] = { ...changed.postings[1], accountId: account };
  return { id: original.id, content: JSON.stringify(changed, big), run: () => ledger.createTransfer(changed) };
}

function big(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
function unbig(_key: string, value: unknown): unknown {
  return typeof value === 'string' && /^\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value;
}
