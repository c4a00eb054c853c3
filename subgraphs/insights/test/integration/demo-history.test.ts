import { seedDemoBanking } from '@meridian/banking';
import { rebuildReadModel } from '../../src';
import { startInsights, type Customer, type InsightsHarness } from '../helpers/insights-harness';

// The demo customer's year (salary, rent, bills, subscriptions, weekly groceries at random shops,
// everyday card spending, trips abroad) rebuilt from banking's ledger: the recurring streams are
// found, and random spending makes none; card descriptors are categorised; the alert rules run.

const UNTIL = new Date('2026-11-20T12:00:00Z');
let h: InsightsHarness;
let demo: Customer;
beforeAll(async () => {
  h = await startInsights({ today: UNTIL, workers: false });
  demo = await h.customer();
  await seedDemoBanking({ accounts: h.banking.accounts, ledger: h.banking.ledger, ownerId: demo.id, now: UNTIL });
  await rebuildReadModel({ db: h.insights.dataSource, ledger: h.insights.ledger, projection: h.insights.projection });
}, 180_000);
afterAll(() => h.close());

const insightsOf = async (fields: string) => {
  const res = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { insights { ${fields} } } } }`, { id: demo.id }, demo);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!._entities[0].insights;
};

describe('insights on the demo year', () => {
  it('finds the salary, rent, bills and subscriptions, and no stream in random card spending', async () => {
    const { recurring } = await insightsOf(`recurring { merchant { name } direction frequency nextDate nextAmount { amount } isActive category { primary } }`);
    const active = recurring.filter((s: any) => s.isActive);
    const byName = (part: RegExp) => active.find((s: any) => part.test(s.merchant.name));
    expect(byName(/northwind/i)).toMatchObject({ direction: 'INFLOW', frequency: 'MONTHLY', nextDate: '2026-11-25', category: { primary: 'INCOME' } });
    expect(byName(/council tax/i)).toMatchObject({ frequency: 'MONTHLY', nextAmount: { amount: '162.00' } });
    expect(byName(/harbour lettings/i)).toMatchObject({ direction: 'OUTFLOW', frequency: 'MONTHLY', nextDate: '2026-12-01', nextAmount: { amount: '1350.00' } });
    expect(byName(/netflix/i)).toMatchObject({ frequency: 'MONTHLY', nextDate: '2026-12-05', nextAmount: { amount: '10.99' } });
    expect(byName(/spotify/i)).toMatchObject({ frequency: 'MONTHLY', nextAmount: { amount: '11.99' } });
    for (const bill of [/puregym/i, /thames water/i, /^BT\b/, /giffgaff/i, /apple|icloud/i, /octopus/i]) expect(byName(bill)).toBeDefined();
    // Groceries at six shops picked at random, dining out, coffee, Amazon: none of them a stream.
    for (const noise of [/tesco/i, /sainsbury/i, /aldi/i, /waitrose/i, /pret/i, /costa/i, /amazon/i, /deliveroo/i, /dishoom/i, /boots/i]) {
      expect({ noise: String(noise), found: recurring.filter((s: any) => noise.test(s.merchant.name)).map((s: any) => s.frequency) }).toEqual({ noise: String(noise), found: [] });
    }
  });

  it('categorises the card descriptors the demo year carries', async () => {
    const rows: { description: string; merchant_name: string; primary_category: string }[] = await h.insights.dataSource.query(
      `SELECT DISTINCT description, merchant_name, primary_category FROM insights.transactions WHERE user_id = $1 AND code = 'CARD_PAYMENT'`,
      [demo.id],
    );
    const of = (descriptor: string) => rows.find((r) => r.description === descriptor);
    expect(of('AMZN Mktp UK*2K4LT12J5')).toMatchObject({ merchant_name: 'Amazon', primary_category: 'GENERAL_MERCHANDISE' });
    expect(of('PRET A MANGER 1234 LONDON GB')).toMatchObject({ merchant_name: 'Pret A Manger', primary_category: 'FOOD_AND_DRINK' });
    expect(of('TFL TRAVEL CH')).toMatchObject({ primary_category: 'TRANSPORTATION' });
    expect(of('TESCO STORES 3297 LONDON GB')).toMatchObject({ merchant_name: 'Tesco', primary_category: 'FOOD_AND_DRINK' });
    expect(of('NETFLIX.COM')).toMatchObject({ merchant_name: 'Netflix', primary_category: 'ENTERTAINMENT' });
    const spending = await insightsOf(`spendingByCategory(period: { from: "2026-10-01", to: "2026-10-31" }) { total { amount } categories { category { id } } }`);
    expect(spending.spendingByCategory.categories.map((c: any) => c.category.id)).toEqual(expect.arrayContaining(['FOOD_AND_DRINK', 'RENT_AND_UTILITIES', 'GENERAL_MERCHANDISE']));
  });

  it('runs the alert rules for the customer once their transactions changed, and raises each alert once', async () => {
    await h.gql(`mutation { setBudget(input: { category: "FOOD_AND_DRINK", amount: "50.00" }) { overBudget } }`, {}, demo);
    await h.insights.dataSource.query(`INSERT INTO insights.alert_queue (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, [demo.id]);
    // The streams the dashboard read were detected minutes ago, so the rules detect them again.
    await h.insights.dataSource.query(`UPDATE insights.recurring_streams SET computed_at = now() - interval '5 minutes' WHERE user_id = $1`, [demo.id]);
    expect(await h.insights.alertRules.runOnce()).toBe(1);
    const first = await insightsOf(`alerts(first: 50) { unreadCount edges { node { id type severity title body } } }`);
    expect(first.alerts.edges.map((e: any) => e.node.type)).toContain('BUDGET_EXCEEDED');
    // Nothing new to look at: the queue is empty. Queued again: the same alerts are not raised twice.
    expect(await h.insights.alertRules.runOnce()).toBe(0);
    const [{ computed }] = await h.insights.dataSource.query(`SELECT computed_at::text AS computed FROM insights.recurring_streams WHERE user_id = $1`, [demo.id]);
    await h.insights.dataSource.query(`INSERT INTO insights.alert_queue (user_id) VALUES ($1)`, [demo.id]);
    await h.insights.alertRules.runOnce();
    const again = await insightsOf(`alerts(first: 50) { unreadCount edges { node { id } } }`);
    expect(again.alerts.edges).toHaveLength(first.alerts.edges.length);
    // Streams detected less than a minute ago are not detected again: the customer stays queued for a later pass.
    const [{ queued }] = await h.insights.dataSource.query(`SELECT count(*)::int AS queued FROM insights.alert_queue WHERE user_id = $1`, [demo.id]);
    expect(queued).toBe(1);
    const [{ after }] = await h.insights.dataSource.query(`SELECT computed_at::text AS after FROM insights.recurring_streams WHERE user_id = $1`, [demo.id]);
    expect(after).toBe(computed);
    await h.insights.dataSource.query(`DELETE FROM insights.alert_queue WHERE user_id = $1`, [demo.id]);
    const read = await h.gql(`mutation ($ids: [ID!]!) { markAlertsRead(ids: $ids) }`, { ids: first.alerts.edges.map((e: any) => e.node.id) }, demo);
    expect(read.data!.markAlertsRead).toBe(first.alerts.unreadCount);
    expect((await insightsOf(`alerts { unreadCount }`)).alerts.unreadCount).toBe(0);
  });
});
