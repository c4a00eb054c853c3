import { randomUUID } from 'node:crypto';
import { changesOfHistory, rebuildReadModel, type LedgerChange } from '../../src';
import { startInsights, type InsightsHarness } from '../helpers/insights-harness';

// The read model from ledger events: enriched as written, the same however often and in whatever
// order events arrive, the same as a rebuild from banking's ledger; a poison event is parked and
// the consumer goes on.

let h: InsightsHarness;
beforeAll(async () => {
  h = await startInsights();
}, 120_000);
afterAll(() => h.close());

type Row = Record<string, unknown>;
const rowsOf = async (userId: string): Promise<Row[]> =>
  h.insights.dataSource.query(
    `SELECT transfer_id, account_id, settled_by, status, amount::text AS amount, currency, booked_on::text AS booked_on, code, description, mcc,
            merchant_key, merchant_name, category, primary_category, category_source, own_transfer_with
     FROM insights.transactions WHERE user_id = $1 ORDER BY transfer_id, account_id`,
    [userId],
  );

/** Every change of the ledger's history that touches one of `accountIds`, in chain order. */
async function historyOf(accountIds: string[]): Promise<LedgerChange[]> {
  const changes: LedgerChange[] = [];
  for (let after: bigint | null = 0n; after !== null; ) {
    const page = await h.insights.ledger.history(after, 200);
    for (const t of page.transfers) {
      const mine = t.postings.some((p) => accountIds.includes(p.accountId)) || (t.pendingId !== null && t.postings.length === 0);
      if (mine) changes.push(...changesOfHistory(t));
    }
    after = page.nextAfterSeq;
  }
  return changes;
}

describe('the read model from ledger events', () => {
  it('writes each customer transaction enriched: merchant, category, day; own transfers are neither income nor spending', async () => {
    const c = await h.customer();
    const current = await h.account(c);
    const savings = await h.account(c, 'GBP', 'SAVINGS');
    await h.move(current, { description: 'Northwind Analytics Ltd SALARY', amount: 2_500_00n, code: 'SALARY', at: new Date('2026-11-25T08:00:00Z') });
    const pret = await h.move(current, { description: 'PRET A MANGER 1234 LONDON GB', amount: -4_50n, mcc: '5814', at: new Date('2026-11-26T12:30:00Z') });
    await h.move(current, { description: 'AMZN Mktp UK*2K4LT12J5', amount: -23_99n, mcc: '5942' });
    const own = randomUUID();
    await h.banking.ledger.createTransfer({
      id: own,
      code: 'TRANSFER',
      description: 'Monthly saving',
      postings: [
        { accountId: current, direction: 'DEBIT', amount: 300_00n, currency: 'GBP' },
        { accountId: savings, direction: 'CREDIT', amount: 300_00n, currency: 'GBP' },
      ],
    });
    await h.settle();
    const rows = await rowsOf(c.id);
    expect(rows).toHaveLength(5);
    const coffee = rows.find((r) => r.transfer_id === pret)!;
    expect(coffee).toMatchObject({ status: 'POSTED', amount: '-450', mcc: '5814', merchant_key: 'pret', merchant_name: 'Pret A Manger', primary_category: 'FOOD_AND_DRINK', booked_on: '2026-11-26' });
    expect(rows.find((r) => String(r.description).startsWith('AMZN'))).toMatchObject({ merchant_name: 'Amazon', primary_category: 'GENERAL_MERCHANDISE' });
    expect(rows.find((r) => r.code === 'SALARY')).toMatchObject({ category: 'INCOME_WAGES', booked_on: '2026-11-25' });
    const legs = rows.filter((r) => r.transfer_id === own);
    expect(legs.map((r) => [r.amount, r.category, r.own_transfer_with]).sort()).toEqual([
      ['-30000', 'TRANSFER_OUT_SAVINGS', 'SAVINGS'],
      ['30000', 'TRANSFER_IN_ACCOUNT_TRANSFER', 'CURRENT'],
    ]);
  });

  it('keeps a hold and the post that settled it as one row, and a voided hold out of every sum', async () => {
    const c = await h.customer();
    const account = await h.account(c);
    await h.move(account, { description: 'Opening deposit', amount: 100_00n });
    const clearing = (await h.banking.accounts.systemAccount('CLEARING', 'GBP')).id;
    const hold = (id: string, amount: bigint) =>
      h.banking.ledger.createTransfer({
        id,
        code: 'CARD_PAYMENT',
        description: 'SHELL 1234 LONDON GB',
        metadata: { mcc: '5541' },
        pendingTimeoutSeconds: 3600,
        postings: [
          { accountId: account, direction: 'DEBIT', amount, currency: 'GBP' },
          { accountId: clearing, direction: 'CREDIT', amount, currency: 'GBP' },
        ],
      });
    const posted = randomUUID();
    const voided = randomUUID();
    await hold(posted, 60_00n);
    await hold(voided, 10_00n);
    await h.settle();
    expect((await rowsOf(c.id)).filter((r) => r.code === 'CARD_PAYMENT').map((r) => r.status)).toEqual(expect.arrayContaining(['PENDING', 'PENDING']));
    // A fuel pre-authorisation settles for less than was held.
    const post = randomUUID();
    await h.banking.ledger.postPending({ id: post, pendingId: posted, amount: 42_10n });
    await h.banking.ledger.voidPending({ id: randomUUID(), pendingId: voided });
    await h.settle();
    const rows = (await rowsOf(c.id)).filter((r) => r.code === 'CARD_PAYMENT');
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.transfer_id === posted)).toMatchObject({ status: 'POSTED', amount: '-4210', settled_by: post, mcc: '5541', primary_category: 'TRANSPORTATION' });
    expect(rows.find((r) => r.transfer_id === voided)).toMatchObject({ status: 'VOIDED' });
  });

  it('ends with the same rows however often and in whatever order the changes arrive, and a rebuild from the ledger gives them too', async () => {
    const c = await h.customer();
    const account = await h.account(c);
    const savings = await h.account(c, 'GBP', 'SAVINGS');
    await h.move(account, { description: 'SALARY', amount: 1_000_00n, code: 'SALARY' });
    for (let i = 0; i < 6; i += 1) await h.move(account, { description: `TESCO STORES ${3000 + i} LONDON GB`, amount: -BigInt(10_00 + i * 137), mcc: '5411' });
    const clearing = (await h.banking.accounts.systemAccount('CLEARING', 'GBP')).id;
    const holdId = randomUUID();
    await h.banking.ledger.createTransfer({
      id: holdId,
      code: 'CARD_PAYMENT',
      description: 'TFL TRAVEL CH',
      pendingTimeoutSeconds: 3600,
      postings: [
        { accountId: account, direction: 'DEBIT', amount: 7_20n, currency: 'GBP' },
        { accountId: clearing, direction: 'CREDIT', amount: 7_20n, currency: 'GBP' },
      ],
    });
    await h.banking.ledger.postPending({ id: randomUUID(), pendingId: holdId });
    const gone = randomUUID();
    await h.banking.ledger.createTransfer({
      id: gone,
      code: 'CARD_PAYMENT',
      description: 'UBER *TRIP HELP.UBER.COM',
      pendingTimeoutSeconds: 3600,
      postings: [
        { accountId: account, direction: 'DEBIT', amount: 15_00n, currency: 'GBP' },
        { accountId: clearing, direction: 'CREDIT', amount: 15_00n, currency: 'GBP' },
      ],
    });
    await h.banking.ledger.voidPending({ id: randomUUID(), pendingId: gone });
    await h.banking.ledger.createTransfer({
      id: randomUUID(),
      code: 'TRANSFER',
      description: 'To savings',
      postings: [
        { accountId: account, direction: 'DEBIT', amount: 50_00n, currency: 'GBP' },
        { accountId: savings, direction: 'CREDIT', amount: 50_00n, currency: 'GBP' },
      ],
    });
    await h.settle();
    const fromEvents = await rowsOf(c.id);
    expect(fromEvents.filter((r) => r.status === 'VOIDED')).toHaveLength(1);

    const changes = await historyOf([account, savings]);
    // Applied again twice over, in a shuffled order (a fixed permutation, so the test is repeatable): nothing changes.
    const shuffled = [...changes, ...changes].map((change, i) => ({ change, key: (i * 7919) % 101 })).sort((a, b) => a.key - b.key);
    await h.insights.dataSource.query(`DELETE FROM insights.transactions WHERE user_id = $1`, [c.id]);
    await h.insights.dataSource.query(`DELETE FROM insights.hold_outcomes WHERE transfer_id = ANY($1::uuid[])`, [[holdId, gone]]);
    for (const { change } of shuffled) await h.insights.projection.apply(change);
    expect(await rowsOf(c.id)).toEqual(fromEvents);

    const report = await rebuildReadModel({ db: h.insights.dataSource, ledger: h.insights.ledger, projection: h.insights.projection, pageSize: 7 });
    expect(report.transfers).toBeGreaterThanOrEqual(changes.length - 2);
    expect(await rowsOf(c.id)).toEqual(fromEvents);
    // The daily balances the trigger keeps add up to the posted transactions, day by day.
    const kept = await h.insights.dataSource.query(`SELECT account_id, day::text AS day, delta::text AS delta FROM insights.daily_balances WHERE user_id = $1 AND delta <> 0 ORDER BY 1, 2`, [c.id]);
    const summed = await h.insights.dataSource.query(
      `SELECT account_id, booked_on::text AS day, sum(amount)::text AS delta FROM insights.transactions WHERE user_id = $1 AND status = 'POSTED' GROUP BY 1, 2 HAVING sum(amount) <> 0 ORDER BY 1, 2`,
      [c.id],
    );
    expect(kept).toEqual(summed);
    const [ledgerAccount] = await h.banking.accounts.findByIds([account]);
    expect(kept.filter((r: { account_id: string }) => r.account_id === account).reduce((sum: bigint, r: { delta: string }) => sum + BigInt(r.delta), 0n)).toBe(ledgerAccount!.creditsPosted - ledgerAccount!.debitsPosted);
  });

  it('parks a poison event in ledger.events.dlq after its attempts and goes on with the next', async () => {
    const c = await h.customer();
    const account = await h.account(c);
    await h.eventBus.publish('ledger.events', { id: randomUUID(), type: 'ledger.transfer.posted', payload: { transferId: 'not-a-transfer', code: 'X', postings: 'nonsense' }, occurredAt: new Date() });
    await h.move(account, { description: 'Top up', amount: 20_00n });
    await h.move(account, { description: 'NETFLIX.COM', amount: -10_99n });
    await h.settle();
    expect((await rowsOf(c.id)).map((r) => r.merchant_name)).toContain('Netflix');
    for (const until = Date.now() + 15_000; (await h.eventBus.deadLetters('ledger.events')).length === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    const parked = await h.eventBus.deadLetters('ledger.events');
    expect(parked).toHaveLength(1);
    expect(parked[0].deadLetter).toMatchObject({ group: 'insights', attempts: 2 });
    const stats = await h.eventBus.groupStats('ledger.events', 'insights');
    expect(stats).toMatchObject({ lag: 0, deadLetters: 1 });
    // The lag is a Prometheus metric too.
    const metrics = await h.insights.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/event_consumer_lag_entries\{[^}]*stream="ledger.events"[^}]*\} 0/);
    expect(metrics.body).toMatch(/event_dead_letter_entries\{[^}]*stream="ledger.events"[^}]*\} 1/);
  });
});
