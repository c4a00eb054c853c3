import { attachmentName } from '../src/api/exports-api';
import { readCashFlowSearch } from '../src/insights/cash-flow-search';
import { chartAmount, formatChartAmount, minorToDecimal, progressPercent } from '../src/insights/insights-format';
import { daysCovered, defaultCurrency, periodProblem, periodRange, readSpendingSearch } from '../src/insights/insights-period';

describe('the spending period', () => {
  const today = new Date(2026, 11, 7, 15, 30);

  it.each([
    ['this-month', { from: '2026-12-01', to: '2026-12-07' }],
    [undefined, { from: '2026-12-01', to: '2026-12-07' }],
    ['last-month', { from: '2026-11-01', to: '2026-11-30' }],
    ['last-3-months', { from: '2026-10-01', to: '2026-12-07' }],
    ['last-12-months', { from: '2026-01-01', to: '2026-12-07' }],
  ] as const)('counts %s back from today', (period, range) => {
    expect(periodRange({ period }, today)).toEqual(range);
  });

  it('crosses the year for last month in January, and the last 12 months never exceed what insights counts', () => {
    expect(periodRange({ period: 'last-month' }, new Date(2027, 0, 3))).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    const year = periodRange({ period: 'last-12-months' }, new Date(2028, 11, 31))!;
    expect(daysCovered(year.from, year.to)).toBe(366);
  });

  it('takes the custom dates as they are, once both are there', () => {
    expect(periodRange({ period: 'custom', from: '2026-03-01', to: '2026-03-15' }, today)).toEqual({ from: '2026-03-01', to: '2026-03-15' });
    expect(periodRange({ period: 'custom', from: '2026-03-01' }, today)).toBeUndefined();
  });

  it.each([
    [{ period: 'custom', from: '2026-03-01' }, 'Choose the first and the last day.'],
    [{ period: 'custom', from: '2026-03-02', to: '2026-03-01' }, 'The start date is after the end date.'],
    [{ period: 'custom', from: '2025-01-01', to: '2026-01-02' }, 'Choose at most 366 days.'],
    [{ period: 'custom', from: '2025-01-01', to: '2026-01-01' }, undefined],
    [{ period: 'custom', from: '2024-01-01', to: '2024-12-31' }, undefined],
    [{ period: 'this-month' }, undefined],
  ] as const)('judges %j', (search, problem) => {
    expect(periodProblem(search)).toBe(problem);
  });

  it('keeps only what it understands from the address', () => {
    expect(readSpendingSearch({ period: 'custom', from: '2026-02-01', to: '2026-02-30', currency: 'EUR', extra: 1 })).toEqual({ period: 'custom', from: '2026-02-01', currency: 'EUR' });
    expect(readSpendingSearch({ period: 'forever', currency: 'BTC' })).toEqual({});
    expect(readCashFlowSearch({ months: 12, currency: 'JPY' })).toEqual({ months: 12, currency: 'JPY' });
    expect(readCashFlowSearch({ months: '7', currency: 'gbp' })).toEqual({});
  });

  it('starts with pounds when the customer holds them, else their first currency', () => {
    expect(defaultCurrency(['EUR', 'GBP'])).toBe('GBP');
    expect(defaultCurrency(['JPY'])).toBe('JPY');
    expect(defaultCurrency([])).toBe('GBP');
  });
});

describe('amounts on the insights screens', () => {
  it('plots minor units and writes them back exactly', () => {
    expect(chartAmount({ amount: '3412.57', currency: 'GBP' })).toBe(341_257);
    expect(chartAmount({ amount: '1500', currency: 'JPY' })).toBe(1500);
    expect(formatChartAmount(341_257, 'GBP')).toBe(new Intl.NumberFormat(undefined, { style: 'currency', currency: 'GBP' }).format(3412.57));
    expect(minorToDecimal(-5n, 'GBP')).toBe('-0.05');
    expect(minorToDecimal(900_719_925_474_099_312n, 'USD')).toBe('9007199254740993.12');
    expect(minorToDecimal(1500n, 'JPY')).toBe('1500');
  });

  it('measures progress in whole percent on minor units, from 0 to 100', () => {
    const gbp = (amount: string) => ({ amount, currency: 'GBP' as const });
    expect(progressPercent(gbp('112.50'), gbp('450.00'))).toBe(25);
    expect(progressPercent(gbp('0.01'), gbp('450.00'))).toBe(0);
    expect(progressPercent(gbp('900.00'), gbp('450.00'))).toBe(100);
    expect(progressPercent(gbp('-3.00'), gbp('450.00'))).toBe(0);
  });

  it('reads the file name of an attachment, and only a plain one', () => {
    expect(attachmentName('attachment; filename="meridian-transactions-2026-01-01-to-2026-01-31.csv"')).toBe('meridian-transactions-2026-01-01-to-2026-01-31.csv');
    expect(attachmentName('attachment; filename="../../etc/passwd"')).toBeUndefined();
    expect(attachmentName(null)).toBeUndefined();
  });
});
