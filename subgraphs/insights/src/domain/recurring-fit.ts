// How a series of payments is fitted to a schedule and judged: the rules `detectStream`
// (recurring.ts) applies, explained in its doc comment.
import { dateOfDay } from './calendar';
import type { AmountProfile } from './recurring-amounts';
import { scheduleDays, type CalendarMonth, type Frequency, type Schedule, type WeekendRule } from './recurring-schedule';

/** Per-frequency rules; the reasons are in the doc comment of `detectStream` (recurring.ts). */
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

export const rules: Record<Frequency, FrequencyRules> = {
  WEEKLY: { tolerance: 1, longestInterval: 7, breakAfterMissed: 4, graceDays: 4, minimum: 3 },
  BIWEEKLY: { tolerance: 2, longestInterval: 14, breakAfterMissed: 2, graceDays: 9, minimum: 3 },
  SEMI_MONTHLY: { tolerance: 2, longestInterval: 18, breakAfterMissed: 2, graceDays: 10, minimum: 4 },
  MONTHLY: { tolerance: 4, longestInterval: 31, breakAfterMissed: 2, graceDays: 19, minimum: 3 },
  ANNUALLY: { tolerance: 7, longestInterval: 366, breakAfterMissed: 1, graceDays: 37, minimum: 2 },
};

export const frequencies: readonly Frequency[] = ['WEEKLY', 'BIWEEKLY', 'SEMI_MONTHLY', 'MONTHLY', 'ANNUALLY'];
const weekendRules: readonly WeekendRule[] = ['NONE', 'PRECEDING', 'FOLLOWING'];

/** A regular VARIABLE monthly bill (energy, water) may range from a third to three times its median. */
const variableBillRange = 3n;
/** Payments a widely varying monthly bill needs before its dates alone make it a stream. */
const regularBillMinimum = 6;

export interface Point {
  id: string;
  day: number;
  amount: bigint;
}

export interface Match {
  /** Index into the fit's slots. */
  slot: number;
  point: Point;
  deviation: number;
}

/** How well one schedule explains a series. */
export interface Fit {
  schedule: Schedule;
  slots: number[];
  matches: Match[];
  unmatched: Point[];
  /** Missed due dates plus payments off the schedule: lower is better. */
  cost: number;
  deviation: number;
}

/** The latest run of a fit: payments without a long break, and what does not fit inside it. */
export interface Run {
  matches: Match[];
  missed: number;
  extras: number;
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
export function bestFit(frequency: Frequency, points: readonly Point[], months: readonly CalendarMonth[]): Fit {
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
export function latestRun(fit: Fit): Run {
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

export function isAccepted(fit: Fit, run: Run, amounts: AmountProfile, seriesLength: number): boolean {
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
