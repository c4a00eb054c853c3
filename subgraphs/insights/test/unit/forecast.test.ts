import { forecastCash, lowBalanceAhead } from '../../src/domain/forecast';
import type { RecurringStream } from '../../src/domain/recurring';

type StreamFields = Pick<RecurringStream, 'key' | 'direction' | 'schedule' | 'nextDate' | 'nextAmount'> & Partial<RecurringStream>;

/** A detected stream with plausible history; only what the forecast reads matters. */
function stream(fields: StreamFields): RecurringStream {
  return {
    name: fields.key,
    frequency: fields.schedule.frequency,
    occurrences: 6,
    transactionIds: [],
    amountType: 'FIXED',
    averageAmount: fields.nextAmount,
    lastAmount: fields.nextAmount,
    firstDate: '2025-07-01',
    lastDate: '2025-12-31',
    confirmedDate: '2025-09-01',
    isActive: true,
    priceIncrease: null,
    ...fields,
  };
}

const today = '2026-01-20'; // a Tuesday; the 30-day window runs to 18 February

const streams = [
  stream({ key: 'salary', direction: 'INFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 31, weekendRule: 'PRECEDING' }, nextDate: '2026-01-30', nextAmount: 250_000n }),
  stream({ key: 'rent', direction: 'OUTFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 1, weekendRule: 'FOLLOWING' }, nextDate: '2026-02-02', nextAmount: 145_000n }),
  stream({ key: 'spotify', direction: 'OUTFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 23, weekendRule: 'NONE' }, nextDate: '2026-01-23', nextAmount: 1_199n }),
  stream({ key: 'gym', direction: 'OUTFLOW', schedule: { frequency: 'WEEKLY', anchor: '2025-12-04' }, nextDate: '2026-01-22', nextAmount: 4_500n }),
  // Due on the 18th and not seen yet: expected today instead, then on 18 February.
  stream({ key: 'phone', direction: 'OUTFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 18, weekendRule: 'NONE' }, nextDate: '2026-01-18', nextAmount: 2_000n }),
  stream({ key: 'cancelled', direction: 'OUTFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 25, weekendRule: 'NONE' }, nextDate: '2025-09-25', nextAmount: 799n, isActive: false }),
];

describe('forecastCash', () => {
  const forecast = forecastCash({ today, balance: 50_000n, streams });

  it('places every payment of the active streams inside the 30 days', () => {
    // Running balance from 50_000:
    //   20 Jan phone −2_000 → 48_000 (overdue)   22 Jan gym −4_500 → 43_500     23 Jan spotify −1_199 → 42_301
    //   29 Jan gym −4_500 → 37_801               30 Jan salary +250_000 → 287_801
    //    2 Feb rent −145_000 → 142_801            5 Feb gym −4_500 → 138_301     12 Feb gym −4_500 → 133_801
    //   18 Feb phone −2_000 → 131_801            (salary 27 Feb and spotify 23 Feb fall after the window)
    expect(forecast.occurrences.map(({ date, streamKey, balanceAfter, overdue }) => [date, streamKey, balanceAfter, overdue])).toEqual([
      ['2026-01-20', 'phone', 48_000n, true],
      ['2026-01-22', 'gym', 43_500n, false],
      ['2026-01-23', 'spotify', 42_301n, false],
      ['2026-01-29', 'gym', 37_801n, false],
      ['2026-01-30', 'salary', 287_801n, false],
      ['2026-02-02', 'rent', 142_801n, false],
      ['2026-02-05', 'gym', 138_301n, false],
      ['2026-02-12', 'gym', 133_801n, false],
      ['2026-02-18', 'phone', 131_801n, false],
    ]);
  });

  it('gives an end-of-day balance for each of the 30 days and the lowest point', () => {
    expect(forecast.days).toHaveLength(30);
    expect(forecast).toMatchObject({ startDate: '2026-01-20', endDate: '2026-02-18', startingBalance: 50_000n });
    expect(forecast.days[0]).toEqual({ date: '2026-01-20', inflow: 0n, outflow: 2_000n, balance: 48_000n });
    expect(forecast.days[1]).toEqual({ date: '2026-01-21', inflow: 0n, outflow: 0n, balance: 48_000n });
    expect(forecast.days[10]).toEqual({ date: '2026-01-30', inflow: 250_000n, outflow: 0n, balance: 287_801n });
    expect(forecast.days[29]).toEqual({ date: '2026-02-18', inflow: 0n, outflow: 2_000n, balance: 131_801n });
    // The lowest end of day is 29 January (37_801), the day before payday.
    expect(forecast.lowest).toEqual({ date: '2026-01-29', balance: 37_801n });
  });

  it('with no payments ahead, stays at the starting balance', () => {
    const flat = forecastCash({ today, balance: -1_500n, streams: [], days: 7 });
    expect(flat.days.map((day) => day.balance)).toEqual(Array(7).fill(-1_500n));
    expect(flat.lowest).toEqual({ date: today, balance: -1_500n });
  });

  it('refuses a window of no whole day', () => {
    expect(() => forecastCash({ today, balance: 0n, streams, days: 0 })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('places a long-overdue payment only once', () => {
    const late = stream({ key: 'late', direction: 'OUTFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 18, weekendRule: 'NONE' }, nextDate: '2025-12-18', nextAmount: 1_000n });
    // 18 Dec and 18 Jan are both before today: one payment today, then 18 Feb.
    expect(forecastCash({ today, balance: 0n, streams: [late] }).occurrences.map(({ date, overdue }) => [date, overdue])).toEqual([
      ['2026-01-20', true],
      ['2026-02-18', false],
    ]);
  });

  it('lands inflows before outflows on the same day', () => {
    const sameDay = [
      stream({ key: 'a-rent', direction: 'OUTFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 30, weekendRule: 'NONE' }, nextDate: '2026-01-30', nextAmount: 150_000n }),
      stream({ key: 'b-salary', direction: 'INFLOW', schedule: { frequency: 'MONTHLY', dayOfMonth: 30, weekendRule: 'NONE' }, nextDate: '2026-01-30', nextAmount: 200_000n }),
    ];
    const result = forecastCash({ today, balance: 1_000n, streams: sameDay, days: 11 });
    // 1_000 + 200_000 = 201_000, then − 150_000 = 51_000: no dip below zero.
    expect(result.occurrences.map(({ streamKey, balanceAfter }) => [streamKey, balanceAfter])).toEqual([
      ['b-salary', 201_000n],
      ['a-rent', 51_000n],
    ]);
    expect(lowBalanceAhead(result, 10_000n)).toBeNull();
  });
});

describe('lowBalanceAhead', () => {
  const forecast = forecastCash({ today, balance: 50_000n, streams });

  it('finds the first bill that takes the balance under the threshold', () => {
    // Threshold 40_000: the gym on 29 January leaves 37_801, 2_199 short.
    const warning = lowBalanceAhead(forecast, 40_000n);
    expect(warning).toMatchObject({ occurrence: { streamKey: 'gym', date: '2026-01-29', balanceAfter: 37_801n }, shortfall: 2_199n });
  });

  it('is null when every bill leaves enough', () => {
    expect(lowBalanceAhead(forecast, 37_801n)).toBeNull(); // never strictly below
  });

  it('still warns about a bill when the balance is already low', () => {
    // Starting at 1_000 under a 5_000 threshold: the overdue phone bill today (→ −1_000) is the one.
    expect(lowBalanceAhead(forecastCash({ today, balance: 1_000n, streams }), 5_000n)).toMatchObject({
      occurrence: { streamKey: 'phone', date: today, balanceAfter: -1_000n },
      shortfall: 6_000n,
    });
  });
});
