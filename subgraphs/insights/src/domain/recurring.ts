import { dateOfDay, dayNumber, parseDate } from './calendar';
import { absolute, mean } from './minor-units';
import { profileAmounts, type AmountProfile, type AmountType } from './recurring-amounts';
import { bestFit, frequencies, isAccepted, latestRun, rules, type Fit, type Run } from './recurring-fit';
import { calendarMonths, type Frequency, type Schedule } from './recurring-schedule';

export type { Frequency, Schedule, WeekendRule } from './recurring-schedule';
export type { AmountType } from './recurring-amounts';

/** Money coming in (salary) or going out (bills, subscriptions). */
export type StreamDirection = 'INFLOW' | 'OUTFLOW';

/** One past transaction of a candidate series. */
export interface SeriesOccurrence {
  id: string;
  /** Local date, `YYYY-MM-DD`. */
  date: string;
  /** Minor units; compared by magnitude, so either sign convention works. */
  amount: bigint;
}

/** The transactions of one counterparty in one direction over the last ~13 months, grouped by the caller. */
export interface CandidateSeries {
  /** The caller's grouping key (merchant key or cleaned description). */
  key: string;
  /** Display name of the counterparty. */
  name: string;
  direction: StreamDirection;
  category?: string;
  occurrences: readonly SeriesOccurrence[];
}

/** A price that rose and then stayed: the last amount at the old price, the first at the new, and its date. */
export interface PriceIncrease {
  from: bigint;
  to: bigint;
  at: string;
}

/** A detected recurring stream. Amounts are positive minor units; `direction` gives the sign. */
export interface RecurringStream {
  key: string;
  name: string;
  direction: StreamDirection;
  category?: string;
  frequency: Frequency;
  /** The calendar the payments follow; forecasts place future payments with it. */
  schedule: Schedule;
  /** How many transactions belong to the stream (its latest unbroken run). */
  occurrences: number;
  /** Those transactions, oldest first. */
  transactionIds: string[];
  amountType: AmountType;
  /** Mean of the stream's amounts, rounded half up. */
  averageAmount: bigint;
  lastAmount: bigint;
  firstDate: string;
  lastDate: string;
  /** The date of the occurrence that gave the stream its minimum count: when it became recognisable. */
  confirmedDate: string;
  /** The next due date after `lastDate` on the schedule (month-end and weekend aware); may be past if overdue. */
  nextDate: string;
  /** The last amount when FIXED, the median when VARIABLE. */
  nextAmount: bigint;
  /** False once `nextDate` is overdue by more than the frequency's grace period. */
  isActive: boolean;
  /** Set for an OUTFLOW whose latest price change was a rise: two or more payments at one price, then two or more at a higher one. */
  priceIncrease: PriceIncrease | null;
}

/**
 * Decides whether one counterparty's transactions are a recurring stream, and which.
 *
 * Every schedule of every frequency is tried (each weekday phase; each day of the
 * month, 31 meaning month end, under each weekend rule; pairs of days 12–18 apart;
 * each anniversary) and each payment is matched to the nearest due date within a
 * tolerance: ±1 day weekly, ±2 biweekly and semi-monthly, ±4 monthly, ±7 annually —
 * enough for posting delays, too little for a shop visited at random to line up.
 * The schedule with the fewest missed dates and off-schedule payments wins, then the
 * smallest total drift. Then, on the latest run (two missed monthly dates in a row,
 * or four weekly, start a new run, so council tax paid in ten instalments or a
 * resumed subscription is judged on its current run):
 * - at least 3 payments (4 SEMI_MONTHLY); 2 for ANNUALLY only if the series holds nothing
 *   else, a year apart (a renewal seen twice; with 13 months of history there is no third);
 * - missed dates and extra payments each at most one in ten (at least one; none under 6
 *   payments, and then every payment of the series counts, not only those in the run);
 * - on average within a day of the due dates, and under 6 payments every one within a day;
 * - amounts within ±20 % of the median, or FIXED (see {@link profileAmounts}); or, for MONTHLY
 *   bills collected on the day (see `isRegularBill` in recurring-fit.ts), a third to three times the median.
 * Random groceries fail on extra payments long before amounts are looked at; a shop
 * visited three times a year at random, always for the same amount, passes about
 * once in 400 series (measured), most of that from three visits that fall a week,
 * a fortnight or a month apart to the day.
 */
export function detectStream(series: CandidateSeries, today: string): RecurringStream | null {
  const points = series.occurrences
    .map((occurrence) => ({ id: occurrence.id, day: dayNumber(occurrence.date), amount: absolute(occurrence.amount) }))
    .sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (points.length < 2) return null;
  const months = calendarMonths(points[0].day - 40, points[points.length - 1].day + 400);

  let best: { fit: Fit; run: Run; amounts: AmountProfile; cost: number } | null = null;
  for (const frequency of frequencies) {
    const fit = bestFit(frequency, points, months);
    const run = latestRun(fit);
    const amounts = profileAmounts(run.matches.map((match) => match.point.amount));
    if (!isAccepted(fit, run, amounts, points.length)) continue;
    // Missed dates plus every payment the run does not explain, including those before it.
    const cost = run.missed + points.length - run.matches.length;
    if (!best || cost < best.cost) best = { fit, run, amounts, cost };
  }
  return best ? toStream(series, best.fit, best.run, best.amounts, dayNumber(today)) : null;
}

/** The streams among many series, in input order. */
export function detectStreams(series: readonly CandidateSeries[], today: string): RecurringStream[] {
  return series.flatMap((one) => detectStream(one, today) ?? []);
}

/**
 * True for an active OUTFLOW that started recently: it became recognisable (reached
 * its minimum number of payments) within the last `withinDays` days, and its first
 * payment is no older than that plus two months, the time a monthly subscription
 * needs for three charges. So a monthly subscription is reported after its third
 * charge, and a yearly one (first paid a year ago) never is.
 */
export function isNewSubscription(stream: RecurringStream, today: string, withinDays = 45): boolean {
  const now = parseDate(today);
  const confirmed = parseDate(stream.confirmedDate);
  return (
    stream.direction === 'OUTFLOW' &&
    stream.isActive &&
    confirmed <= now &&
    confirmed >= now.minus({ days: withinDays }) &&
    parseDate(stream.firstDate) >= now.minus({ days: withinDays, months: 2 })
  );
}

function toStream(series: CandidateSeries, fit: Fit, run: Run, amounts: AmountProfile, today: number): RecurringStream {
  const { matches } = run;
  const points = matches.map((match) => match.point);
  const last = matches[matches.length - 1];
  const nextDay = fit.slots[last.slot + 1];
  const { change } = amounts;
  const rose = change !== null && series.direction === 'OUTFLOW' && change.to > change.from;
  return {
    key: series.key,
    name: series.name,
    direction: series.direction,
    ...(series.category === undefined ? {} : { category: series.category }),
    frequency: fit.schedule.frequency,
    schedule: fit.schedule,
    occurrences: points.length,
    transactionIds: points.map((point) => point.id),
    amountType: amounts.type,
    averageAmount: mean(points.map((point) => point.amount)),
    lastAmount: last.point.amount,
    firstDate: dateOfDay(points[0].day),
    lastDate: dateOfDay(last.point.day),
    confirmedDate: dateOfDay(points[rules[fit.schedule.frequency].minimum - 1].day),
    nextDate: dateOfDay(nextDay),
    nextAmount: amounts.type === 'FIXED' ? last.point.amount : amounts.median,
    isActive: today <= nextDay + rules[fit.schedule.frequency].graceDays,
    priceIncrease: rose ? { from: change.from, to: change.to, at: dateOfDay(points[change.index].day) } : null,
  };
}
