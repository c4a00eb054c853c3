import { DateTime } from 'luxon';
import { dateOfDay, dayNumber } from './calendar';

/** How often a recurring stream pays or is paid (Plaid's frequencies, without UNKNOWN). */
export type Frequency = 'WEEKLY' | 'BIWEEKLY' | 'SEMI_MONTHLY' | 'MONTHLY' | 'ANNUALLY';

/**
 * Where a payment due on a Saturday or Sunday lands: card charges keep the date
 * (NONE), salaries move to the Friday before (PRECEDING), direct debits and
 * standing orders to the Monday after (FOLLOWING). Bank holidays are not known here.
 */
export type WeekendRule = 'NONE' | 'PRECEDING' | 'FOLLOWING';

/**
 * The calendar a stream follows. Days of the month past the month's end mean its
 * last day, so 31 is "month end" and 30 in February is the 28th or 29th.
 */
export type Schedule =
  /** Every 7 days from `anchor`, any one of the dates. */
  | { frequency: 'WEEKLY'; anchor: string }
  /** Every 14 days from `anchor`, any one of the dates. */
  | { frequency: 'BIWEEKLY'; anchor: string }
  | { frequency: 'SEMI_MONTHLY'; daysOfMonth: readonly [number, number]; weekendRule: WeekendRule }
  | { frequency: 'MONTHLY'; dayOfMonth: number; weekendRule: WeekendRule }
  | { frequency: 'ANNUALLY'; month: number; dayOfMonth: number; weekendRule: WeekendRule };

/** One calendar month as day numbers, so slots are found without building dates. */
export interface CalendarMonth {
  month: number;
  firstDay: number;
  length: number;
}

/** The months that overlap days `from`–`to`, plus one either side for weekend shifts across a month's edge. */
export function calendarMonths(from: number, to: number): CalendarMonth[] {
  const months: CalendarMonth[] = [];
  const last = DateTime.fromISO(dateOfDay(to), { zone: 'utc' }).plus({ months: 1 }).startOf('month');
  let cursor = DateTime.fromISO(dateOfDay(from), { zone: 'utc' }).minus({ months: 1 }).startOf('month');
  while (cursor <= last) {
    months.push({ month: cursor.month, firstDay: dayNumber(cursor.toISODate() as string), length: cursor.daysInMonth as number });
    cursor = cursor.plus({ months: 1 });
  }
  return months;
}

/** ISO weekday of a day number: 1 is Monday, 7 is Sunday (day 0, 1970-01-01, was a Thursday). */
function weekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Moves a weekend day to the working day the rule says. */
function shiftWeekend(day: number, rule: WeekendRule): number {
  const dayOfWeek = weekday(day);
  if (dayOfWeek < 6 || rule === 'NONE') return day;
  return rule === 'PRECEDING' ? day - (dayOfWeek - 5) : day + (8 - dayOfWeek);
}

/** The due days of a schedule inside `from`–`to` (day numbers), weekend rule applied, in order. */
export function scheduleDays(schedule: Schedule, months: readonly CalendarMonth[], from: number, to: number): number[] {
  if (schedule.frequency === 'WEEKLY' || schedule.frequency === 'BIWEEKLY') {
    const period = schedule.frequency === 'WEEKLY' ? 7 : 14;
    const anchor = dayNumber(schedule.anchor);
    const days: number[] = [];
    for (let day = anchor + Math.ceil((from - anchor) / period) * period; day <= to; day += period) days.push(day);
    return days;
  }
  const daysOfMonth = schedule.frequency === 'SEMI_MONTHLY' ? schedule.daysOfMonth : [schedule.dayOfMonth];
  const days: number[] = [];
  for (const month of months) {
    // A weekend shift moves a day at most two days, possibly into the next or previous month.
    if (month.firstDay + month.length + 2 < from || month.firstDay - 2 > to) continue;
    if (schedule.frequency === 'ANNUALLY' && month.month !== schedule.month) continue;
    for (const dayOfMonth of daysOfMonth) {
      const day = shiftWeekend(month.firstDay + Math.min(dayOfMonth, month.length) - 1, schedule.weekendRule);
      if (day >= from && day <= to) days.push(day);
    }
  }
  return days;
}

/** The due dates of a schedule from `from` to `to` inclusive (`YYYY-MM-DD`), weekend rule applied. */
export function scheduleDates(schedule: Schedule, from: string, to: string): string[] {
  const first = dayNumber(from);
  const last = dayNumber(to);
  return scheduleDays(schedule, calendarMonths(first, last), first, last).map(dateOfDay);
}
