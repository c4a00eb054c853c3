import { randomUUID } from 'node:crypto';
import { balanceOf, createExpirySweeper } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

let h: LedgerHarness;
const owner = randomUUID();
beforeAll(async () => {
  h = await startLedger();
});
afterAll(() => h.close());

const hold = (from: string, to: string, amount: bigint, pendingTimeoutSeconds: number) => ({
  id: randomUUID(),
  code: 'CARD_AUTHORISATION',
  pendingTimeoutSeconds,
  postings: [
    { accountId: from, direction: 'DEBIT' as const, amount, currency: 'GBP' as const },
    { accountId: to, direction: 'CREDIT' as const, amount, currency: 'GBP' as const },
  ],
});

async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('expiry sweeper', () => {
  it('releases a hold once its timeout has passed, and leaves holds that have time left', async () => {
    const card = await h.fundedAccount(owner, 'GBP', 10_000n);
    const merchant = await h.accounts.systemAccount('CLEARING', 'GBP');
    const short = await h.ledger.createTransfer(hold(card.id, merchant.id, 2_500n, 1));
    const long = await h.ledger.createTransfer(hold(card.id, merchant.id, 1_000n, 3_600));
    expect(balanceOf(await h.reload(card.id)).available).toBe(6_500n);

    const sweeper = createExpirySweeper({ ledger: h.ledger, intervalMs: 100 });
    sweeper.start();
    try {
      await waitFor('the short hold to expire', async () => (await h.ledger.getTransfer(short.id))!.status === 'EXPIRED');
    } finally {
      await sweeper.stop();
    }
    expect(balanceOf(await h.reload(card.id))).toEqual({ posted: 10_000n, pending: -1_000n, available: 9_000n });
    expect((await h.ledger.getTransfer(long.id))!.status).toBe('PENDING');
    const [{ n }] = await h.dataSource.query(
      `SELECT count(*)::int AS n FROM banking.outbox WHERE aggregate_id = $1 AND event_type = 'ledger.transfer.expired'`,
      [short.id],
    );
    expect(n).toBe(1);
  });

  it('sweeps nothing when nothing is due, and stops sweeping once stopped', async () => {
    const card = await h.fundedAccount(owner, 'GBP', 1_000n);
    const merchant = await h.accounts.systemAccount('CLEARING', 'GBP');
    const sweeper = createExpirySweeper({ ledger: h.ledger, intervalMs: 50 });
    expect(await sweeper.sweepOnce()).toBe(0);
    sweeper.start();
    await sweeper.stop();
    const later = await h.ledger.createTransfer(hold(card.id, merchant.id, 100n, 1));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await h.ledger.getTransfer(later.id))!.status).toBe('PENDING');
    expect(await sweeper.sweepOnce()).toBe(1);
    expect((await h.ledger.getTransfer(later.id))!.status).toBe('EXPIRED');
  });
});
