import { dateOfDay, dayNumber, parseDate } from './calendar';
import { absolute, mean } from './minor-units';
import { profileAmounts, type AmountProfile, type AmountType } from './recurring-amounts';
import {
  calendarMonths,
  scheduleDays,
  type CalendarMonth,
  type Frequency,
  type Schedule,
  type WeekendRule,
} from './recurring-schedule';

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

/** Per-frequency rules; the reasons are in the doc comment of {@link detectStream}. */
interface FrequencyRules {
  /** Days either side of the due date a payment may land. */
  tolerance: number;
  /** Longest interval between due dates, so a schedule always has a date after the last payment. */
  longestInterval: number;
  /** This many consecutive missed dates end a run; the stream is judged on its latest run. */
  breakAfterMissed: number;
  /** Days past `nextDate` before the stream stops being active: the tolerance plus half an interval (a month for ANNUALLY). */
  graceDays: number;
  /**
   * Fewest payments that make a stream: 3, but 4 for SEMI_MONTHLY (two days a month are
   * two free choices, so two months of them) and 2 for ANNUALLY (all 13 months of
   * history can show of a yearly renewal, accepted only when nothing else is in the series).
   */
  minimum: number;
}

const rules: Record<Frequency, FrequencyRules> = {
  WEEKLY: { tolerance: 1, longestInterval: 7, breakAfterMissed: 4, graceDays: 4, minimum: 3 },
  BIWEEKLY: { tolerance: 2, longestInterval: 14, breakAfterMissed: 2, graceDays: 9, minimum: 3 },
  SEMI_MONTHLY: { tolerance: 2, longestInterval: 18, breakAfterMissed: 2, graceDays: 10, minimum: 4 },
  MONTHLY: { tolerance: 4, longestInterval: 31, breakAfterMissed: 2, graceDays: 19, minimum: 3 },
  ANNUALLY: { tolerance: 7, longestInterval: 366, breakAfterMissed: 1, graceDays: 37, minimum: 2 },
};

const frequencies: readonly Frequency[] = ['WEEKLY', 'BIWEEKLY', 'SEMI_MONTHLY', 'MONTHLY', 'ANNUALLY'];
const weekendRules: readonly WeekendRule[] = ['NONE', 'PRECEDING', 'FOLLOWING'];

/** A regular VARIABLE monthly bill (energy, water) may range from a third to three times its median. */
const variableBillRange = 3n;
/** Payments a widely varying monthly bill needs before its dates alone make it a stream. */
const regularBillMinimum = 6;

interface Point {
  id: string;
  day: number;
  amount: bigint;
}

interface Match {
  /** Index into the fit's slots. */
  slot: number;
  point: Point;
  deviation: number;
}

/** How well one schedule explains a series. */
interface Fit {
  schedule: Schedule;
  slots: number[];
  matches: Match[];
  unmatched: Point[];
  /** Missed due dates plus payments off the schedule: lower is better. */
  cost: number;
  deviation: number;
}

/** The latest run of a fit: payments without a long break, and what does not fit inside it. */
interface Run {
  matches: Match[];
  missed: number;
  extras: number;
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
 *   bills collected on the day (see {@link isRegularBill}), a third to three times the median.
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

function candidateSchedules(frequency: Frequency, points: readonly Point[]): Schedule[] {
  switch (frequency) {
    case 'WEEKLY':
    case 'BIWEEKLY': {
      const period = frequency === 'WEEKLY' ? 7 : 14;
      return Array.from({ length: period }, (_, phase) => ({ frequency, anchor: dateOfDay(points[0].day + phase) }));
    }
    case 'MONTHLY':
      return weekendRules.flatMap((weekendRule) =>
        Array.from({ length: 31 }, (_, index) => ({ frequency, dayOfMonth: index + 1, weekendRule })),
      );
    case 'SEMI_MONTHLY':
      return weekendRules.flatMap((weekendRule) =>
        Array.from({ length: 16 }, (_, index) => index + 1).flatMap((first) =>
          Array.from({ length: 7 }, (_, gap) => first + 12 + gap)
            .filter((second) => second <= 31)
            .map((second) => ({ frequency, daysOfMonth: [first, second] as const, weekendRule })),
        ),
      );
    case 'ANNUALLY': {
      const anniversaries = new Set(points.map((point) => dateOfDay(point.day).slice(5)));
      return weekendRules.flatMap((weekendRule) =>
        [...anniversaries].map((monthDay) => ({
          frequency,
          month: Number(monthDay.slice(0, 2)),
          dayOfMonth: Number(monthDay.slice(3)),
          weekendRule,
        })),
      );
    }
  }
}

/** The schedule of one frequency that explains the series best; NONE wins ties against weekend shifts. */
function bestFit(frequency: Frequency, points: readonly Point[], months: readonly CalendarMonth[]): Fit {
  let best: Fit | null = null;
  for (const schedule of candidateSchedules(frequency, points)) {
    const fit = fitSchedule(schedule, points, months);
    if (!best || fit.cost < best.cost || (fit.cost === best.cost && fit.deviation < best.deviation)) best = fit;
  }
  return best as Fit;
}

/** Matches each payment to the nearest due date within tolerance; a due date keeps its closest payment. */
function fitSchedule(schedule: Schedule, points: readonly Point[], months: readonly CalendarMonth[]): Fit {
  const { tolerance, longestInterval } = rules[schedule.frequency];
  const margin = tolerance + longestInterval + 3;
  const slots = scheduleDays(schedule, months, points[0].day - margin, points[points.length - 1].day + margin);
  const bySlot = new Map<number, Match>();
  const unmatched: Point[] = [];
  let cursor = 0;
  for (const point of points) {
    while (cursor + 1 < slots.length && slots[cursor + 1] <= point.day) cursor += 1;
    const slot = cursor + 1 < slots.length && slots[cursor + 1] - point.day < point.day - slots[cursor] ? cursor + 1 : cursor;
    const deviation = point.day - slots[slot];
    const held = bySlot.get(slot);
    if (Math.abs(deviation) > tolerance || (held && Math.abs(held.deviation) <= Math.abs(deviation))) {
      unmatched.push(point);
      continue;
    }
    if (held) unmatched.push(held.point);
    bySlot.set(slot, { slot, point, deviation });
  }
  const matches = [...bySlot.values()].sort((a, b) => a.slot - b.slot);
  const missed = matches.length ? matches[matches.length - 1].slot - matches[0].slot + 1 - matches.length : 0;
  return {
    schedule,
    slots,
    matches,
    unmatched,
    cost: missed + unmatched.length,
    deviation: matches.reduce((sum, match) => sum + Math.abs(match.deviation), 0),
  };
}

/**
 * The matches after the last long break, with the missed dates inside and the payments
 * that did not fit: those after its start, or, for a run too short to be allowed any,
 * all of them (a few payments that happen to line up at a shop visited at random
 * must not pass for a stream).
 */
function latestRun(fit: Fit): Run {
  const { breakAfterMissed, tolerance } = rules[fit.schedule.frequency];
  let start = 0;
  let missed = 0;
  for (let index = 1; index < fit.matches.length; index += 1) {
    const gap = fit.matches[index].slot - fit.matches[index - 1].slot - 1;
    if (gap >= breakAfterMissed) {
      start = index;
      missed = 0;
    } else {
      missed += gap;
    }
  }
  const matches = fit.matches.slice(start);
  const from = allowance(matches.length) === 0 ? -Infinity : fit.slots[matches[0].slot] - tolerance;
  return { matches, missed, extras: fit.unmatched.filter((point) => point.day >= from).length };
}

/** Missed dates or extra payments a run of `count` payments may have: none under 6, then one in ten. */
function allowance(count: number): number {
  return count < 6 ? 0 : Math.max(1, Math.floor(count / 10));
}

function isAccepted(fit: Fit, run: Run, amounts: AmountProfile, seriesLength: number): boolean {
  const { frequency } = fit.schedule;
  const count = run.matches.length;
  const allowed = allowance(count);
  if (count < rules[frequency].minimum || run.missed > allowed || run.extras > allowed) return false;
  // Short runs have so many schedules to choose from that a few random dates fit one
  // within the full tolerance: they must sit within a day of every due date.
  if (allowed === 0 && run.matches.some((match) => Math.abs(match.deviation) > 1)) return false;
  // Real streams keep to their day, drifting now and then; dates that merely fall
  // inside the tolerance windows drift by about half the tolerance on average.
  if (run.matches.reduce((sum, match) => sum + Math.abs(match.deviation), 0) > count) return false;
  // Two payments a year apart are a stream only when nothing else from this counterparty muddies them.
  if (frequency === 'ANNUALLY' && count === 2) return seriesLength === 2 && amounts.withinTolerance;
  return amounts.withinTolerance || amounts.type === 'FIXED' || (frequency === 'MONTHLY' && isRegularBill(run, amounts));
}

/**
 * A monthly bill collected on its day (a direct debit for energy or water): amounts
 * that vary beyond ±20 % are accepted when at least six payments, none missed or
 * extra, all but one fall exactly on the due date, within a third to three times the median.
 */
function isRegularBill(run: Run, amounts: AmountProfile): boolean {
  const offDay = run.matches.filter((match) => match.deviation !== 0).length;
  const inRange = run.matches.every(
    ({ point }) => point.amount * variableBillRange >= amounts.median && point.amount <= amounts.median * variableBillRange,
  );
  return run.matches.length >= regularBillMinimum && run.missed === 0 && run.extras === 0 && offDay <= 1 && inRange;
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
