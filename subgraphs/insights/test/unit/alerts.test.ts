import {
  budgetExceededAlert,
  lowBalanceAheadAlert,
  newSubscriptionAlert,
  spendingNorm,
  unusualCategorySpendAlert,
  unusualTransactionAlert,
  type AlertContext,
} from '../../src/domain/alerts';
import { budgetProgress } from '../../src/domain/budgets';
import { forecastCash } from '../../src/domain/forecast';
import { formatMoney } from '../../src/domain/minor-units';
import { detectStream, type RecurringStream } from '../../src/domain/recurring';

const labels: Record<string, string> = { GROCERIES: 'Groceries', COFFEE: 'Coffee' };
const context: AlertContext = { currency: 'GBP', categoryLabel: (category) => labels[category] ?? category };
const today = '2026-01-20';

describe('formatMoney', () => {
  it.each([
    [123_456n, 'GBP', 'en-GB', '£1,234.56'],
    [-5n, 'GBP', 'en-GB', '-£0.05'],
    [0n, 'GBP', 'en-GB', '£0.00'],
    [123_456n, 'JPY', 'en-GB', 'JP¥123,456'],
    [123_456n, 'USD', 'en-US', '$1,234.56'],
    [-123_456n, 'EUR', 'de-DE', '-1.234,56\u00a0€'],
    [1_234_567_890n, 'INR', 'en-IN', '₹1,23,45,678.90'],
    // Beyond 2^53: a float would have rounded the pence away.
    [9_223_372_036_854_775_807n, 'GBP', 'en-GB', '£92,233,720,368,547,758.07'],
  ] as const)('%p %s in %s is %s', (minor, currency, locale, text) => {
    expect(formatMoney(minor, currency, locale)).toBe(text);
  });
});

describe('spendingNorm', () => {
  it('is the median plus three robust standard deviations', () => {
    // sorted 1_800 2_000 2_200 2_400 2_500 2_700 3_000 → median 2_400
    // |x − 2_400| sorted 0 100 200 300 400 600 600 → MAD 300
    // threshold = 2_400 + ⌈3 × 1.4826 × 300⌉ = 2_400 + ⌈1_334.34⌉ = 3_735
    expect(spendingNorm([2_000n, 2_500n, 1_800n, 3_000n, 2_200n, 2_700n, 2_400n])).toEqual({ median: 2_400n, mad: 300n, threshold: 3_735n });
  });
});

describe('unusualTransactionAlert', () => {
  const history = [2_000n, 2_500n, 1_800n, 3_000n, 2_200n, 2_700n, 2_400n]; // norm above: median 2_400, threshold 3_735
  const payment = (amount: bigint, id = 'txn-1') => ({ id, amount, merchantName: 'Tesco', category: 'GROCERIES' });

  it('alerts on a payment above the threshold, twice the median and at least £50', () => {
    // 8_420 > 3_735, ≥ 2 × 2_400 = 4_800, ≥ 5_000.
    expect(unusualTransactionAlert({ transaction: payment(-8_420n), categoryHistory: history }, context)).toEqual({
      type: 'UNUSUAL_SPENDING',
      dedupeKey: 'UNUSUAL_SPENDING:transaction:txn-1',
      severity: 'WARNING',
      title: 'Unusually large payment at Tesco',
      body: '£84.20 at Tesco is well above your usual £24.00 for Groceries.',
      currency: 'GBP',
      amounts: { amount: 8_420n, usual: 2_400n },
      relatedIds: ['txn-1'],
    });
  });

  it('gives the same dedupe key for the same transaction, another for another', () => {
    const again = unusualTransactionAlert({ transaction: payment(8_420n), categoryHistory: history }, context);
    const other = unusualTransactionAlert({ transaction: payment(8_420n, 'txn-2'), categoryHistory: history }, context);
    expect(again?.dedupeKey).toBe('UNUSUAL_SPENDING:transaction:txn-1');
    expect(other?.dedupeKey).toBe('UNUSUAL_SPENDING:transaction:txn-2');
  });

  it('stays quiet under £50, under twice the median, or without enough history', () => {
    // 4_900: above 3_735 and 4_800, but under the £50.00 minimum.
    expect(unusualTransactionAlert({ transaction: payment(4_900n), categoryHistory: history }, context)).toBeNull();
    // A steady £100 category: MAD 0, threshold 10_000; 15_000 is above it but under 2 × 10_000.
    const steady = [10_000n, 10_000n, 10_000n, 10_000n, 10_000n];
    expect(unusualTransactionAlert({ transaction: payment(15_000n), categoryHistory: steady }, context)).toBeNull();
    expect(unusualTransactionAlert({ transaction: payment(20_000n), categoryHistory: steady }, context)).not.toBeNull();
    // Four past payments are not a norm (five needed).
    expect(unusualTransactionAlert({ transaction: payment(8_420n), categoryHistory: history.slice(0, 4) }, context)).toBeNull();
  });

  it('lets a tiny category alert only with a lower minimum', () => {
    const coffee = { id: 'txn-9', amount: 2_000n, merchantName: 'Pret', category: 'COFFEE' };
    const cups = [300n, 250n, 320n, 280n, 310n];
    expect(unusualTransactionAlert({ transaction: coffee, categoryHistory: cups }, context)).toBeNull();
    expect(unusualTransactionAlert({ transaction: coffee, categoryHistory: cups }, context, { minimumAmount: 1_000n })?.body).toBe(
      '£20.00 at Pret is well above your usual £3.00 for Coffee.',
    );
  });
});

describe('unusualCategorySpendAlert', () => {
  // sorted 0 30_000 31_000 32_000 34_000 35_000 → median (31_000 + 32_000) / 2 = 31_500
  // |x − 31_500| sorted 500 500 1_500 2_500 3_500 31_500 → MAD (1_500 + 2_500) / 2 = 2_000
  // threshold = 31_500 + ⌈3 × 1.4826 × 2_000⌉ = 31_500 + ⌈8_895.6⌉ = 40_396; twice the median 63_000
  const monthlyTotals = [30_000n, 35_000n, 32_000n, 0n, 31_000n, 34_000n];

  it("alerts once per category and month when this month's spending is far above the usual", () => {
    expect(unusualCategorySpendAlert({ category: 'GROCERIES', month: '2026-01', spent: 65_000n, monthlyTotals }, context)).toEqual({
      type: 'UNUSUAL_SPENDING',
      dedupeKey: 'UNUSUAL_SPENDING:category:GROCERIES:2026-01',
      severity: 'INFO',
      title: 'High spending on Groceries',
      body: "You've spent £650.00 on Groceries in January 2026, well above your usual £315.00 a month.",
      currency: 'GBP',
      amounts: { spent: 65_000n, usual: 31_500n },
      relatedIds: ['GROCERIES'],
    });
  });

  it('stays quiet under twice the usual month', () => {
    expect(unusualCategorySpendAlert({ category: 'GROCERIES', month: '2026-01', spent: 60_000n, monthlyTotals }, context)).toBeNull();
  });
});

describe('lowBalanceAheadAlert', () => {
  const rent: RecurringStream = {
    key: 'harbour-lettings',
    name: 'Harbour Lettings',
    direction: 'OUTFLOW',
    frequency: 'MONTHLY',
    schedule: { frequency: 'MONTHLY', dayOfMonth: 1, weekendRule: 'FOLLOWING' },
    occurrences: 12,
    transactionIds: [],
    amountType: 'FIXED',
    averageAmount: 145_000n,
    lastAmount: 145_000n,
    firstDate: '2025-02-03',
    lastDate: '2026-01-01',
    confirmedDate: '2025-04-01',
    nextDate: '2026-02-02',
    nextAmount: 145_000n,
    isActive: true,
    priceIncrease: null,
  };

  it('warns about the bill that would take the balance under the threshold', () => {
    // 100_000 − 145_000 = −45_000 on 2 February, under a 10_000 threshold.
    const forecast = forecastCash({ today, balance: 100_000n, streams: [rent] });
    expect(lowBalanceAheadAlert(forecast, 10_000n, context)).toEqual({
      type: 'LOW_BALANCE_AHEAD',
      dedupeKey: 'LOW_BALANCE_AHEAD:harbour-lettings:2026-02-02',
      severity: 'WARNING',
      title: 'Low balance ahead',
      body: 'Harbour Lettings (£1,450.00) is due on 2 Feb 2026 and could leave your balance at -£450.00.',
      currency: 'GBP',
      amounts: { amount: 145_000n, balanceAfter: -45_000n, threshold: 10_000n },
      relatedIds: ['harbour-lettings'],
    });
  });

  it('is null when the balance covers the bills', () => {
    // 200_000 − 145_000 = 55_000 ≥ 10_000.
    expect(lowBalanceAheadAlert(forecastCash({ today, balance: 200_000n, streams: [rent] }), 10_000n, context)).toBeNull();
  });
});

describe('budgetExceededAlert', () => {
  const groceries = { category: 'GROCERIES', amount: 40_000n };

  it('warns once spending is over the budget', () => {
    const progress = budgetProgress({ budget: groceries, month: '2026-01', today, spent: 45_500n });
    expect(budgetExceededAlert(progress, context)).toEqual({
      type: 'BUDGET_EXCEEDED',
      dedupeKey: 'BUDGET_EXCEEDED:GROCERIES:2026-01',
      severity: 'WARNING',
      title: 'Groceries budget exceeded',
      body: "You've spent £455.00 of your £400.00 Groceries budget for January 2026.",
      currency: 'GBP',
      amounts: { spent: 45_500n, budget: 40_000n },
      relatedIds: ['GROCERIES'],
    });
  });

  it('tells, under its own key, when the projection is over', () => {
    // 15_000 by 10 January → 15_000 × 31 / 10 = 46_500.
    const progress = budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-10', spent: 15_000n });
    expect(budgetExceededAlert(progress, context)).toMatchObject({
      dedupeKey: 'BUDGET_EXCEEDED:GROCERIES:2026-01:projected',
      severity: 'INFO',
      title: 'Groceries budget at risk',
      body: "At this pace you'll spend about £465.00 on Groceries in January 2026, over your £400.00 budget.",
      amounts: { spent: 15_000n, projected: 46_500n, budget: 40_000n },
    });
  });

  it('is null within budget', () => {
    // 10_000 by the 20th → 10_000 × 31 / 20 = 15_500 ≤ 40_000.
    expect(budgetExceededAlert(budgetProgress({ budget: groceries, month: '2026-01', today, spent: 10_000n }), context)).toBeNull();
  });
});

describe('newSubscriptionAlert', () => {
  const series = (dates: string[]) => ({
    key: 'audible',
    name: 'Audible',
    direction: 'OUTFLOW' as const,
    occurrences: dates.map((date, index) => ({ id: `a${index}`, date, amount: -899n })),
  });

  it('tells about a subscription that started recently, once', () => {
    const stream = detectStream(series(['2025-11-03', '2025-12-03', '2026-01-03']), today) as RecurringStream;
    expect(newSubscriptionAlert(stream, today, context)).toEqual({
      type: 'NEW_SUBSCRIPTION',
      dedupeKey: 'NEW_SUBSCRIPTION:audible',
      severity: 'INFO',
      title: 'New subscription: Audible',
      body: 'Audible has charged you £8.99 a month since 3 Nov 2025.',
      currency: 'GBP',
      amounts: { amount: 899n },
      relatedIds: ['audible', 'a0', 'a1', 'a2'],
    });
  });

  it('is null for a subscription of long standing', () => {
    const stream = detectStream(series(['2025-06-03', '2025-07-03', '2025-08-03', '2025-09-03', '2025-10-03', '2025-11-03', '2025-12-03', '2026-01-03']), today);
    expect(newSubscriptionAlert(stream as RecurringStream, today, context)).toBeNull();
  });
});
