import { randomUUID } from 'node:crypto';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

// Every ledger.transfer.* event names the customers whose accounts it changed
// (`ownerIds`), so the BFFs can end their cached answers; the bank's own
// accounts name nobody.

let h: LedgerHarness;
beforeAll(async () => {
  h = await startLedger();
});
afterAll(() => h.close());

/** The type and `ownerIds` of each event written for the transfer (or hold) `id`, oldest first. */
async function eventsOf(id: string): Promise<[string, unknown][]> {
  const rows: { event_type: string; payload: { ownerIds?: unknown } }[] = await h.dataSource.query(
    `SELECT event_type, payload FROM banking.outbox WHERE aggregate_id = $1 ORDER BY seq`,
    [id],
  );
  return rows.map((r) => [r.event_type, r.payload.ownerIds]);
}

const move = (from: string, to: string, amount: bigint, pendingTimeoutSeconds?: number) => ({
  id: randomUUID(),
  code: 'TRANSFER',
  ...(pendingTimeoutSeconds === undefined ? {} : { pendingTimeoutSeconds }),
  postings: [
    { accountId: from, direction: 'DEBIT' as const, amount, currency: 'EUR' as const },
    { accountId: to, direction: 'CREDIT' as const, amount, currency: 'EUR' as const },
  ],
});

describe('ledger events name the customers they concern', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  let fromAlice: string;
  let toBob: string;
  beforeAll(async () => {
    fromAlice = (await h.fundedAccount(alice, 'EUR', 100_000n)).id;
    toBob = (await h.fundedAccount(bob, 'EUR', 0n)).id;
  });

  it('names both owners of a transfer between two customers', async () => {
    const done = await h.ledger.createTransfer(move(fromAlice, toBob, 100n));
    expect(await eventsOf(done.id)).toEqual([['ledger.transfer.posted', [alice, bob]]]);
  });

  it('names both owners on a hold, its post, its void and its expiry', async () => {
    const held = await h.ledger.createTransfer(move(fromAlice, toBob, 200n, 60));
    const post = await h.ledger.postPending({ id: randomUUID(), pendingId: held.id });
    expect(await eventsOf(held.id)).toEqual([['ledger.transfer.pending', [alice, bob]]]);
    expect(await eventsOf(post.id)).toEqual([['ledger.transfer.posted', [alice, bob]]]);

    const voidable = await h.ledger.createTransfer(move(fromAlice, toBob, 300n, 60));
    const voided = await h.ledger.voidPending({ id: randomUUID(), pendingId: voidable.id });
    expect(await eventsOf(voided.id)).toEqual([['ledger.transfer.voided', [alice, bob]]]);

    const expiring = await h.ledger.createTransfer(move(fromAlice, toBob, 400n, 1));
    expect(await h.ledger.expirePending(new Date(Date.now() + 5_000))).toBe(1);
    expect(await eventsOf(expiring.id)).toEqual([
      ['ledger.transfer.pending', [alice, bob]],
      ['ledger.transfer.expired', [alice, bob]],
    ]);
  });

  it('names a customer once for a move between their own accounts, and never a system account', async () => {
    const savings = (await h.fundedAccount(alice, 'EUR', 0n, 'SAVINGS')).id;
    const own = await h.ledger.createTransfer(move(fromAlice, savings, 500n));
    expect(await eventsOf(own.id)).toEqual([['ledger.transfer.posted', [alice]]]);

    const clearing = await h.accounts.systemAccount('CLEARING', 'EUR');
    const deposit = await h.ledger.createTransfer(move(clearing.id, toBob, 600n));
    expect(await eventsOf(deposit.id)).toEqual([['ledger.transfer.posted', [bob]]]);
  });
});
