import { errors } from '@meridian/platform';
import { addDays } from './calendar';
import type { RecurringStream, StreamDirection } from './recurring';
import { scheduleDates } from './recurring-schedule';

/** One expected payment of a recurring stream inside the forecast window. */
export interface ForecastOccurrence {
  streamKey: string;
  name: string;
  direction: StreamDirection;
  category?: string;
  date: string;
  /** Positive minor units: the stream's `nextAmount`. */
  amount: bigint;
  /** True when the stream's payment was due before the window and is placed on its first day instead. */
  overdue: boolean;
  /** The projected balance right after this payment (payments applied in the order of `occurrences`). */
  balanceAfter: bigint;
}

/** One day of the forecast. */
export interface ForecastDay {
  date: string;
  inflow: bigint;
  outflow: bigint;
  /** Projected balance at the end of the day. */
  balance: bigint;
}

/** A day-by-day cash projection from recurring streams. */
export interface CashForecast {
  startDate: string;
  endDate: string;
  startingBalance: bigint;
  days: ForecastDay[];
  /** The lowest end-of-day balance, the earliest day if several tie. */
  lowest: { date: string; balance: bigint };
  /** Placed payments, by date, inflows before outflows on the same day, then by stream key. */
  occurrences: ForecastOccurrence[];
}

/** What a forecast is computed from. */
export interface CashForecastInput {
  /** The customer's local date, the forecast's first day, `YYYY-MM-DD`. */
  today: string;
  /** The current balance, in minor units; payments expected today are not in it yet. */
  balance: bigint;
  streams: readonly RecurringStream[];
  /** Length of the window in days; default 30. */
  days?: number;
}

/**
 * Projects the balance over the next `days` days (today included) from the active
 * recurring streams: each is placed on its `nextDate` and every later due date of its
 * schedule inside the window, for its `nextAmount`. A payment due before today that
 * has not arrived is assumed to arrive today, once. Within a day inflows land before
 * outflows, so a bill paid the day the salary arrives does not count as a dip.
 * Errors: BAD_USER_INPUT (`days` not a positive integer, malformed dates).
 */
export function forecastCash(input: CashForecastInput): CashForecast {
  const length = input.days ?? 30;
  if (!Number.isInteger(length) || length < 1) throw errors.badInput('A forecast covers at least one whole day.', { field: 'days' });
  const startDate = input.today;
  const endDate = addDays(startDate, length - 1);
  const placed = input.streams
    .filter((stream) => stream.isActive)
    .flatMap((stream) => placeStream(stream, startDate, endDate))
    .sort(
      (a, b) =>
        // ISO dates sort as text.
        compareText(a.date, b.date) ||
        (a.direction === b.direction ? 0 : a.direction === 'INFLOW' ? -1 : 1) ||
        compareText(a.streamKey, b.streamKey),
    );

  let balance = input.balance;
  const occurrences: ForecastOccurrence[] = placed.map((occurrence) => {
    balance += occurrence.direction === 'INFLOW' ? occurrence.amount : -occurrence.amount;
    return { ...occurrence, balanceAfter: balance };
  });

  const days: ForecastDay[] = [];
  let running = input.balance;
  for (let offset = 0; offset < length; offset += 1) {
    const date = addDays(startDate, offset);
    const onDay = occurrences.filter((occurrence) => occurrence.date === date);
    const inflow = sum(onDay.filter((occurrence) => occurrence.direction === 'INFLOW'));
    const outflow = sum(onDay.filter((occurrence) => occurrence.direction === 'OUTFLOW'));
    running += inflow - outflow;
    days.push({ date, inflow, outflow, balance: running });
  }
  const lowest = days.reduce((low, day) => (day.balance < low.balance ? day : low), days[0]);
  return { startDate, endDate, startingBalance: input.balance, days, lowest: { date: lowest.date, balance: lowest.balance }, occurrences };
}

/**
 * The first recurring outflow after which the projected balance is below `threshold`,
 * with how far below it goes; null if none. It fires even when the balance is already
 * below the threshold, since the bill still falls due while it is low.
 */
export function lowBalanceAhead(
  forecast: CashForecast,
  threshold: bigint,
): { occurrence: ForecastOccurrence; shortfall: bigint } | null {
  const occurrence = forecast.occurrences.find((one) => one.direction === 'OUTFLOW' && one.balanceAfter < threshold);
  return occurrence ? { occurrence, shortfall: threshold - occurrence.balanceAfter } : null;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum(occurrences: readonly ForecastOccurrence[]): bigint {
  return occurrences.reduce((total, occurrence) => total + occurrence.amount, 0n);
}

/** A stream's payments inside the window; at most one overdue payment, moved to the first day. */
function placeStream(stream: RecurringStream, startDate: string, endDate: string): Omit<ForecastOccurrence, 'balanceAfter'>[] {
  if (stream.nextDate > endDate) return [];
  const due = [stream.nextDate, ...scheduleDates(stream.schedule, addDays(stream.nextDate, 1), endDate)];
  const overdue = due.filter((date) => date < startDate).length > 0;
  const dates = [...(overdue ? [startDate] : []), ...due.filter((date) => date >= startDate)];
  return dates.map((date, index) => ({
    streamKey: stream.key,
    name: stream.name,
    direction: stream.direction,
    ...(stream.category === undefined ? {} : { category: stream.category }),
    date,
    amount: stream.nextAmount,
    overdue: overdue && index === 0,
  }));
}
