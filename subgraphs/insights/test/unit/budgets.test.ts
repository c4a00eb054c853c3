import { budgetProgress } from '../../src/domain/budgets';
import { divideRoundHalfUp } from '../../src/domain/minor-units';

const groceries = { category: 'GROCERIES', amount: 40_000n }; // £400.00

describe('budgetProgress', () => {
  it('projects spent / elapsed days × days in month', () => {
    // January 2026 has 31 days; the 10th means 10 days elapsed.
    // projected = 15_000 × 31 / 10 = 46_500 (£465.00) > 40_000, so projected over; remaining 40_000 − 15_000 = 25_000.
    expect(budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-10', spent: 15_000n })).toEqual({
      category: 'GROCERIES',
      month: '2026-01',
      budget: 40_000n,
      spent: 15_000n,
      remaining: 25_000n,
      projectedMonthEnd: 46_500n,
      overBudget: false,
      projectedOver: true,
    });
  });

  it('rounds the projection half up to the minor unit', () => {
    // February 2026: 28 days, 3 elapsed. 10_000 × 28 / 3 = 93_333.33… → 93_333.
    expect(budgetProgress({ budget: groceries, month: '2026-02', today: '2026-02-03', spent: 10_000n }).projectedMonthEnd).toBe(93_333n);
    // 2 days elapsed of 31: 1 × 31 / 2 = 15.5 → 16 (1 spent + 1 × 29 / 2 = 14.5 → 15 extrapolated).
    expect(budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-02', spent: 1n }).projectedMonthEnd).toBe(16n);
    // 5 × 31 / 3 = 51.67 → 52.
    expect(budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-03', spent: 5n }).projectedMonthEnd).toBe(52n);
  });

  it('adds known recurring payments once instead of extrapolating them', () => {
    // Bills budget £1,200.00. Spent £1,050.00 by 15 January, of which £1,000.00 was recurring; £120.00 more is due.
    // discretionary = 105_000 − 100_000 = 5_000; extrapolated = 5_000 × (31 − 15) / 15 = 5_333.33 → 5_333
    // projected = 105_000 + 5_333 + 12_000 = 122_333 > 120_000.
    const progress = budgetProgress({
      budget: { category: 'BILLS', amount: 120_000n },
      month: '2026-01',
      today: '2026-01-15',
      spent: 105_000n,
      recurring: { spent: 100_000n, upcoming: 12_000n },
    });
    expect(progress).toMatchObject({ projectedMonthEnd: 122_333n, overBudget: false, projectedOver: true, remaining: 15_000n });
  });

  it('reports over budget with a negative remainder', () => {
    // 45_500 spent of 40_000 on the 20th: remaining −5_500; projected 45_500 × 31 / 20 = 70_525.
    expect(budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-20', spent: 45_500n })).toMatchObject({
      remaining: -5_500n,
      overBudget: true,
      projectedOver: true,
      projectedMonthEnd: 70_525n,
    });
  });

  it('stops extrapolating at month end and before the month starts', () => {
    // A past month: all 31 days elapsed, projection = spent.
    expect(budgetProgress({ budget: groceries, month: '2025-12', today: '2026-01-05', spent: 38_000n }).projectedMonthEnd).toBe(38_000n);
    // On the last day: 38_000 × 0 / 31 = 0 extrapolated.
    expect(budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-31', spent: 38_000n }).projectedMonthEnd).toBe(38_000n);
    // Next month's budget viewed today: only the recurring payments already known.
    expect(
      budgetProgress({ budget: groceries, month: '2026-02', today: '2026-01-31', spent: 0n, recurring: { spent: 0n, upcoming: 2_500n } }).projectedMonthEnd,
    ).toBe(2_500n);
  });

  it('projects no further spending after net refunds', () => {
    // Refunds exceed purchases: spent is −1_200, nothing is extrapolated.
    expect(budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-10', spent: -1_200n })).toMatchObject({
      projectedMonthEnd: -1_200n,
      remaining: 41_200n,
      projectedOver: false,
    });
    // A £30.00 refund against a £20.00 bill (spent −1_000): discretionary −1_000 − 2_000 < 0, so only the £5.00 still due is added.
    expect(
      budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-10', spent: -1_000n, recurring: { spent: 2_000n, upcoming: 500n } })
        .projectedMonthEnd,
    ).toBe(-500n);
  });

  it('refuses a negative budget or recurring amount, and malformed months', () => {
    expect(() => budgetProgress({ budget: { category: 'X', amount: -1n }, month: '2026-01', today: '2026-01-10', spent: 0n })).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
    expect(() =>
      budgetProgress({ budget: groceries, month: '2026-01', today: '2026-01-10', spent: 100n, recurring: { spent: 0n, upcoming: -1n } }),
    ).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => budgetProgress({ budget: groceries, month: '2026-1', today: '2026-01-10', spent: 0n })).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });
});

describe('divideRoundHalfUp', () => {
  it.each([
    [5n, 2n, 3n], // 2.5 → 3
    [-5n, 2n, -2n], // −2.5 → −2 (half up, towards +∞)
    [7n, 3n, 2n], // 2.33 → 2
    [8n, 3n, 3n], // 2.67 → 3
    [-8n, 3n, -3n], // −2.67 → −3
  ])('%p / %p = %p', (numerator, denominator, expected) => {
    expect(divideRoundHalfUp(numerator, denominator)).toBe(expected);
  });
});
