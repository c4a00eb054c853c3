import { SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { startInsights, type Customer, type InsightsHarness } from '../helpers/insights-harness';

// Insights' answers carry the cache policy of its `@cacheControl` hints, which the
// gateway combines across subgraphs: the dashboard for 15 s (its read model follows
// events), only for the customer; mutations never.

let h: InsightsHarness;
let ana: Customer;
let current: string;
let coffeeId: string;
beforeAll(async () => {
  h = await startInsights({ today: new Date('2026-11-20T12:00:00Z') });
  ana = await h.customer();
  current = await h.account(ana);
  await h.move(current, { description: 'NORTHWIND ANALYTICS LTD SALARY', amount: 2_000_00n, code: 'SALARY', at: new Date('2026-11-01T12:00:00Z') });
  coffeeId = await h.move(current, { description: 'PRET A MANGER 1234 LONDON GB', amount: -4_50n, mcc: '5814', at: new Date('2026-11-03T12:00:00Z') });
  await h.settle();
}, 120_000);
afterAll(() => h.close());

/** Calls insights as the gateway does and answers the body with the response's Cache-Control. */
async function answer(query: string, variables: Record<string, unknown>, as: Customer) {
  const res = await h.insights.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await h.serviceKeys.issuerFor('gateway')('insights'), authorization: `Bearer ${as.token}` },
    payload: { query, variables },
  });
  const body = JSON.parse(res.body) as { data?: Record<string, any>; errors?: unknown[] };
  return { cacheControl: res.headers['cache-control'], data: body.data, errors: body.errors };
}

const DASHBOARD = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { insights {
  spendingByCategory(period: { from: "2026-11-01", to: "2026-11-30" }) { total { amount } categories { category { id label } amount { amount } detailed { category { id } amount { amount } } } }
  cashFlow(months: 2) { currency months { month income { amount } spending { amount } net { amount } } forecast { startingBalance { amount } days { date balance { amount } } lowest { date } expected { name amount { amount } } } }
  budgets { category { id } amount { amount } spent { amount } remaining { amount } projectedMonthEnd { amount } overBudget }
  recurring { merchant { name } category { id } averageAmount { amount } priceIncrease { since } }
  goals { id name target { amount } saved { amount } monthlyNeeded { amount } }
  alerts(first: 5) { edges { cursor node { id type title read } } pageInfo { hasNextPage } unreadCount }
  netWorth(range: { from: "2026-11-01", to: "2026-11-20" }) { currency points { date balance { amount } } }
  rules { id category { id } minAmount { amount } }
} } } }`;

describe('cache hints in insights', () => {
  it('lets the customer’s dashboard be cached for 15 s, privately', async () => {
    const budget = await answer(`mutation { setBudget(input: { category: "FOOD_AND_DRINK", amount: "100" }) { category { id } amount { amount } } }`, {}, ana);
    expect(budget.errors).toBeUndefined();
    // Setting a budget is a mutation: never cacheable.
    expect(budget.cacheControl).toBe('no-store');

    const res = await answer(DASHBOARD, { r: [{ __typename: 'User', id: ana.id }] }, ana);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0].insights.budgets).toHaveLength(1);
    expect(res.cacheControl).toBe('max-age=15, private');
  });

  it('lets an account’s insights and a transaction’s category be cached for 15 s, privately', async () => {
    const account = await answer(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Account { insights { spendingThisMonth { amount } incomeThisMonth { amount } topCategories { category { id } amount { amount } } balanceHistory(days: 7) { date balance { amount } } } } } }`,
      { r: [{ __typename: 'Account', id: current }] },
      ana,
    );
    expect(account.errors).toBeUndefined();
    expect(account.data!._entities[0].insights.spendingThisMonth.amount).toBe('4.50');
    expect(account.cacheControl).toBe('max-age=15, private');

    const transaction = await answer(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Transaction { transferId category { id label primaryLabel } categorySource merchant { key name } } } }`,
      { r: [{ __typename: 'Transaction', transferId: coffeeId, accountId: current }] },
      ana,
    );
    expect(transaction.errors).toBeUndefined();
    expect(transaction.data!._entities[0].merchant).not.toBeNull();
    expect(transaction.cacheControl).toBe('max-age=15, private');
  });

  it('lets the category taxonomy be cached for 15 s, privately', async () => {
    const res = await answer(`{ categories { category { id label } detailed { id label } } }`, {}, ana);
    expect(res.errors).toBeUndefined();
    expect(res.cacheControl).toBe('max-age=15, private');
  });
});
