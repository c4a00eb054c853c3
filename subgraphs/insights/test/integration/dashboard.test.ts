import { SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { startInsights, type Customer, type InsightsHarness } from '../helpers/insights-harness';

// The dashboard's aggregates against hand-computed values on a small fixture, with insights' clock
// fixed at 2026-11-20 (London): spending by category, cash flow, net worth, budgets, goals, rules and
// re-categorisation, the CSV export, and no customer ever seeing another's insights.

const TODAY = new Date('2026-11-20T12:00:00Z');
let h: InsightsHarness;
let ana: Customer;
let current: string;
let savings: string;
let coffeeId: string;
beforeAll(async () => {
  h = await startInsights({ today: TODAY });
  ana = await h.customer();
  current = await h.account(ana);
  savings = await h.account(ana, 'GBP', 'SAVINGS');
  const at = (day: string) => new Date(`${day}T12:00:00Z`);
  // October: salary 2,000.00; groceries 100.00 + 50.00; coffee 4.50.
  await h.move(current, { description: 'NORTHWIND ANALYTICS LTD SALARY', amount: 2_000_00n, code: 'SALARY', at: at('2026-10-25') });
  await h.move(current, { description: 'TESCO STORES 3297 LONDON GB', amount: -100_00n, mcc: '5411', at: at('2026-10-26') });
  await h.move(current, { description: "SAINSBURY'S S/MKT 0321 LONDON GB", amount: -50_00n, mcc: '5411', at: at('2026-10-27') });
  await h.move(current, { description: 'PRET A MANGER 1234 LONDON GB', amount: -4_50n, mcc: '5814', at: at('2026-10-28') });
  // November (to the 20th): groceries 80.00, coffee 3.20 and 2.80, a 20.00 grocery refund, 500.00 to savings.
  await h.move(current, { description: 'TESCO STORES 3297 LONDON GB', amount: -80_00n, mcc: '5411', at: at('2026-11-02') });
  coffeeId = await h.move(current, { description: 'COSTA COFFEE 41022 LONDON GB', amount: -3_20n, mcc: '5814', at: at('2026-11-03') });
  await h.move(current, { description: 'PRET A MANGER 1234 LONDON GB', amount: -2_80n, mcc: '5814', at: at('2026-11-10') });
  await h.move(current, { description: 'TESCO STORES 3297 LONDON GB REFUND', amount: 20_00n, mcc: '5411', code: 'CARD_REFUND', at: at('2026-11-12') });
  await h.banking.ledger.createTransfer({
    id: crypto.randomUUID(),
    code: 'TRANSFER',
    description: 'Monthly saving',
    metadata: { transactedAt: at('2026-11-15').toISOString() },
    postings: [
      { accountId: current, direction: 'DEBIT', amount: 500_00n, currency: 'GBP' },
      { accountId: savings, direction: 'CREDIT', amount: 500_00n, currency: 'GBP' },
    ],
  });
  await h.settle();
}, 120_000);
afterAll(() => h.close());

const Q = (fields: string) => `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { insights { ${fields} } } } }`;
const insightsOf = async (fields: string, as = ana, variables: Record<string, unknown> = {}) => {
  const res = await h.gql(Q(fields), { id: ana.id, ...variables }, as);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!._entities[0].insights;
};

describe('dashboard aggregates', () => {
  it('splits spending by category over a period, refunds netted, own transfers and income left out', async () => {
    const nov = await insightsOf(`spendingByCategory(period: { from: "2026-11-01", to: "2026-11-30" }) { total { amount currency } categories { category { id } amount { amount } shareBasisPoints transactionCount detailed { category { id } amount { amount } } } }`);
    const spending = nov.spendingByCategory;
    // Groceries 80.00 − 20.00 refund = 60.00; coffee 3.20 + 2.80 = 6.00; total 66.00.
    expect(spending.total).toEqual({ amount: '66.00', currency: 'GBP' });
    expect(spending.categories.map((c: any) => [c.category.id, c.amount.amount, c.shareBasisPoints, c.transactionCount])).toEqual([
      ['FOOD_AND_DRINK', '66.00', 10000, 4],
    ]);
    const detailed = Object.fromEntries(spending.categories[0].detailed.map((d: any) => [d.category.id, d.amount.amount]));
    expect(Object.values(detailed).sort()).toEqual(['6.00', '60.00']);
    expect(Object.keys(detailed)).toContain('FOOD_AND_DRINK_GROCERIES');
  });

  it('counts income and spending per month, the current month so far, and rejects a bad number of months', async () => {
    const flow = (await insightsOf(`cashFlow(months: 3) { currency months { month income { amount } spending { amount } net { amount } } }`)).cashFlow;
    expect(flow.months).toEqual([
      { month: '2026-09', income: { amount: '0.00' }, spending: { amount: '0.00' }, net: { amount: '0.00' } },
      // 2,000.00 in; 154.50 out.
      { month: '2026-10', income: { amount: '2000.00' }, spending: { amount: '154.50' }, net: { amount: '1845.50' } },
      // 86.00 out, 20.00 refunded: 66.00 of spending; the 500.00 to savings is neither.
      { month: '2026-11', income: { amount: '0.00' }, spending: { amount: '66.00' }, net: { amount: '-66.00' } },
    ]);
    const res = await h.gql(Q('cashFlow(months: 30) { currency }'), { id: ana.id }, ana);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'months' });
  });

  it('adds up balances per day for net worth, savings included', async () => {
    const worth = (await insightsOf(`netWorth(range: { from: "2026-11-14", to: "2026-11-16" }) { currency points { date balance { amount } } }`)).netWorth;
    // By the 14th: 2,000.00 − 154.50 − 86.00 + 20.00 = 1,779.50; the saving moves money between the two accounts.
    expect(worth).toEqual([{ currency: 'GBP', points: [
      { date: '2026-11-14', balance: { amount: '1779.50' } },
      { date: '2026-11-15', balance: { amount: '1779.50' } },
      { date: '2026-11-16', balance: { amount: '1779.50' } },
    ] }]);
    const res = await h.gql(Q('netWorth(range: { from: "2025-01-01", to: "2026-11-16" }) { currency }'), { id: ana.id }, ana);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('tracks a budget: spent, remaining, projection at this month’s pace, over budget', async () => {
    const set = await h.gql(`mutation { setBudget(input: { category: "FOOD_AND_DRINK", amount: "80.00" }) { category { id } amount { amount } spent { amount } remaining { amount } projectedMonthEnd { amount } overBudget projectedOver } }`, {}, ana);
    // 66.00 in 20 of 30 days: 66.00 × 30 / 20 = 99.00 by the end of the month.
    expect(set.data!.setBudget).toEqual({
      category: { id: 'FOOD_AND_DRINK' },
      amount: { amount: '80.00' },
      spent: { amount: '66.00' },
      remaining: { amount: '14.00' },
      projectedMonthEnd: { amount: '99.00' },
      overBudget: false,
      projectedOver: true,
    });
    const bad = await h.gql(`mutation { setBudget(input: { category: "SNACKS", amount: "10.00" }) { spent { amount } } }`, {}, ana);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'category' });
    const zero = await h.gql(`mutation { setBudget(input: { category: "TRAVEL", amount: "0" }) { spent { amount } } }`, {}, ana);
    expect(zero.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('shows a savings goal’s progress from its account and what to save each month', async () => {
    const made = await h.gql(
      `mutation ($account: ID!) { createGoal(input: { name: "Lisbon", targetAmount: "2000.00", targetDate: "2027-05-20", accountId: $account }) { id name saved { amount } progressBasisPoints remaining { amount } monthlyNeeded { amount } reached } }`,
      { account: savings },
      ana,
    );
    // 500.00 of 2,000.00 saved: 25 %; 1,500.00 left over 6 months: 250.00 a month.
    expect(made.data!.createGoal).toMatchObject({ name: 'Lisbon', saved: { amount: '500.00' }, progressBasisPoints: 2500, remaining: { amount: '1500.00' }, monthlyNeeded: { amount: '250.00' }, reached: false });
    const someoneElse = await h.customer();
    const theirs = await h.account(someoneElse);
    const refused = await h.gql(`mutation ($account: ID!) { createGoal(input: { name: "Mine", targetAmount: "10.00", accountId: $account }) { id } }`, { account: theirs }, ana);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'accountId' });
  });

  it('re-categorises one transaction, then every transaction of a merchant through a rule, past and future', async () => {
    const one = await h.gql(
      `mutation ($t: ID!, $a: ID!) { recategorizeTransaction(transferId: $t, accountId: $a, category: "FOOD_AND_DRINK_RESTAURANT") { updated rule { id } } }`,
      { t: coffeeId, a: current },
      ana,
    );
    expect(one.data!.recategorizeTransaction).toEqual({ updated: 1, rule: null });
    const ref = await h.gql(
      `query ($t: ID!, $a: ID!) { _entities(representations: [{ __typename: "Transaction", transferId: $t, accountId: $a }]) { ... on Transaction { category { id } categorySource merchant { name } } } }`,
      { t: coffeeId, a: current },
      ana,
    );
    expect(ref.data!._entities[0]).toEqual({ category: { id: 'FOOD_AND_DRINK_RESTAURANT' }, categorySource: 'USER', merchant: { name: 'Costa Coffee' } });

    const rule = await h.gql(`mutation { createCategoryRule(input: { pattern: "pret a manger", category: "FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK" }) { id pattern category { id } } }`, {}, ana);
    expect(rule.errors).toBeUndefined();
    const counts = await h.insights.dataSource.query(
      `SELECT category, category_source, count(*)::int AS n FROM insights.transactions WHERE user_id = $1 AND description LIKE 'PRET%' GROUP BY 1, 2`,
      [ana.id],
    );
    expect(counts).toEqual([{ category: 'FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK', category_source: 'USER_RULE', n: 2 }]);
    // A later transaction follows the rule too; deleting the rule gives the transactions their own category back.
    await h.move(current, { description: 'PRET A MANGER 99 LEEDS GB', amount: -5_00n, mcc: '5814', at: new Date('2026-11-19T09:00:00Z') });
    await h.settle();
    const [{ n }] = await h.insights.dataSource.query(`SELECT count(*)::int AS n FROM insights.transactions WHERE user_id = $1 AND category_source = 'USER_RULE'`, [ana.id]);
    expect(n).toBe(3);
    expect((await h.gql(`mutation ($id: ID!) { deleteCategoryRule(id: $id) }`, { id: rule.data!.createCategoryRule.id }, ana)).data).toEqual({ deleteCategoryRule: true });
    const [{ left }] = await h.insights.dataSource.query(`SELECT count(*)::int AS left FROM insights.transactions WHERE user_id = $1 AND category_source = 'USER_RULE'`, [ana.id]);
    expect(left).toBe(0);
    const bad = await h.gql(`mutation { createCategoryRule(input: { pattern: "*", category: "FOOD_AND_DRINK_COFFEE" }) { id } }`, {}, ana);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pattern' });
  });

  it('resolves many transactions of a page in one request, in order, unknown ones with empty fields', async () => {
    const reps = [
      { __typename: 'Transaction', transferId: coffeeId, accountId: current },
      { __typename: 'Transaction', transferId: crypto.randomUUID(), accountId: current },
      { __typename: 'Transaction', transferId: coffeeId, accountId: savings },
    ];
    const res = await h.gql(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Transaction { transferId merchant { name } } } }`, { r: reps }, ana);
    expect(res.data!._entities).toEqual([
      { transferId: coffeeId, merchant: { name: 'Costa Coffee' } },
      { transferId: reps[1].transferId, merchant: null },
      { transferId: coffeeId, merchant: null },
    ]);
  });

  it('never shows one customer’s insights, transactions or goals to another', async () => {
    const mallory = await h.customer();
    const peek = await h.gql(Q('spendingByCategory(period: { from: "2026-11-01", to: "2026-11-30" }) { total { amount } }'), { id: ana.id }, mallory);
    expect(peek.data!._entities[0]).toEqual({ insights: null });
    const tx = await h.gql(
      `query ($t: ID!, $a: ID!) { _entities(representations: [{ __typename: "Transaction", transferId: $t, accountId: $a }]) { ... on Transaction { category { id } merchant { name } } } }`,
      { t: coffeeId, a: current },
      mallory,
    );
    expect(tx.data!._entities[0]).toEqual({ category: null, merchant: null });
    const account = await h.gql(`query ($id: ID!) { _entities(representations: [{ __typename: "Account", id: $id }]) { ... on Account { insights { spendingThisMonth { amount } } } } }`, { id: current }, mallory);
    expect(account.data!._entities[0]).toEqual({ insights: null });
    const recat = await h.gql(`mutation ($t: ID!, $a: ID!) { recategorizeTransaction(transferId: $t, accountId: $a, category: "TRAVEL_FLIGHTS") { updated } }`, { t: coffeeId, a: current }, mallory);
    expect(recat.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('exports a date range as CSV, streamed, with formulas neutralised, only for the signed-in customer', async () => {
    await h.move(current, { description: '=HYPERLINK("http://evil")', amount: -1_00n, at: new Date('2026-11-18T10:00:00Z') });
    await h.settle();
    const get = async (query: string, token?: string, caller = 'bff-web') =>
      h.insights.app.inject({
        method: 'GET',
        url: `/exports/transactions.csv?${query}`,
        headers: { [SERVICE_TOKEN_HEADER]: await h.serviceKeys.issuerFor(caller)('insights'), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    const res = await get('from=2026-11-01&to=2026-11-30', ana.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('meridian-transactions-2026-11-01-to-2026-11-30.csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('date,account_id,transfer_id,status,description,merchant,category,detailed_category,amount,currency');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([...lines.slice(1).map((l) => l.split(',')[0])].sort());
    expect(lines.filter((l) => l.includes('TESCO STORES 3297 LONDON GB,'))[0]).toMatch(/,-80\.00,GBP$/);
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines.every((l) => !l.startsWith('2026-10'))).toBe(true);
    expect((await get('from=2026-11-01&to=2026-11-30')).statusCode).toBe(401);
    expect((await get('from=2026-11-31&to=2026-11-30', ana.token)).statusCode).toBe(400);
    expect((await get('from=2026-11-01&to=2026-11-30', ana.token, 'payments')).statusCode).toBe(403);
    // The categories are insights: a token without insights:read (a staff token, say) exports nothing.
    const withoutInsights = await get('from=2026-11-01&to=2026-11-30', (await h.customer(['profile:read', 'accounts:read'])).token);
    expect(withoutInsights.statusCode).toBe(403);
    expect(withoutInsights.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    const mallory = await h.customer();
    const theirs = await get('from=2026-01-01&to=2026-11-30', mallory.token);
    expect(theirs.body.trim().split('\r\n')).toHaveLength(1);
  });
});
