import { errors } from '@meridian/platform';
import { DateTime } from 'luxon';
import { parseTimeZone } from './time-zone';

/** A day of the week. */
export type Weekday = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

/** The days of the week from Monday, as ISO 8601 numbers them (Monday is 1). */
export const WEEKDAYS: readonly Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** The local time of day a scheduled payment runs when none is given. */
export const DEFAULT_TIME_OF_DAY = '09:00';

/** When a payment runs, as the customer asked for it; dates are local `YYYY-MM-DD`, times local `HH:mm`. */
export type ScheduleInput =
  | ({ frequency: 'ONCE'; date: string } & ScheduleTimeInput)
  | ({ frequency: 'WEEKLY'; dayOfWeek: Weekday } & ScheduleTimeInput & RecurrenceInput)
  | ({ frequency: 'MONTHLY'; dayOfMonth: number } & ScheduleTimeInput & RecurrenceInput);

/** The customer's time zone and the local time of day of each run. */
export interface ScheduleTimeInput {
  /** IANA name, e.g. Europe/London. */
  timeZone: string;
  /** Local `HH:mm`; default 09:00. */
  timeOfDay?: string | null;
}

/** When a recurrence starts and ends. */
export interface RecurrenceInput {
  /** First local date it may run on; default today. */
  startDate?: string | null;
  /** Last local date it may run on (inclusive); default none. */
  endDate?: string | null;
  /** How many runs in all; default unlimited. */
  count?: number | null;
}

/** A checked schedule: one run at a local date and time. */
export interface OnceSchedule {
  frequency: 'ONCE';
  date: string;
  timeOfDay: string;
  timeZone: string;
}

/** What every checked recurrence has: its first run's local date, and its end if any. */
interface RecurrenceBase {
  timeOfDay: string;
  timeZone: string;
  /** Local date of the first run; runs are counted from it. */
  startDate: string;
  endDate: string | null;
  count: number | null;
}

/** A checked schedule: every week on one day. */
export interface WeeklySchedule extends RecurrenceBase {
  frequency: 'WEEKLY';
  dayOfWeek: Weekday;
}

/** A checked schedule: every month on one day, or on the month's last day when it is shorter. */
export interface MonthlySchedule extends RecurrenceBase {
  frequency: 'MONTHLY';
  dayOfMonth: number;
}

/** A checked, normalised schedule. */
export type Schedule = OnceSchedule | WeeklySchedule | MonthlySchedule;

type Recurring = WeeklySchedule | MonthlySchedule;

// Calendar dates are computed in UTC, where every day has 24 hours; only `at` meets the customer's zone.
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function parseDate(value: string, field: string): DateTime {
  const date = DateTime.fromISO(value.trim(), { zone: 'utc' });
  if (!DATE.test(value.trim()) || !date.isValid) throw errors.badInput(`${field} must be a date such as 2026-01-31.`, { field });
  return date;
}

function parseTimeOfDay(value: string): string {
  const time = value.trim();
  if (!TIME.test(time)) throw errors.badInput('timeOfDay must be a time such as 09:00.', { field: 'timeOfDay' });
  return time;
}

const isoDate = (date: DateTime): string => date.toISODate() ?? '';

/**
 * The instant a local date and time happen in `zone`. A time skipped by a
 * clock change moves forward by the gap (01:30 becomes 02:30); a time that
 * happens twice is its first occurrence, as iCalendar has it.
 */
function at(date: DateTime, timeOfDay: string, zone: string): Date {
  const [hour, minute] = timeOfDay.split(':').map(Number);
  const local = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute }, { zone });
  const earliest = Math.min(...local.getPossibleOffsets().map((candidate) => candidate.toMillis()));
  return new Date(Number.isFinite(earliest) ? earliest : local.toMillis());
}

/** The local calendar date of an instant in `zone`. */
function localDate(instant: Date, zone: string): DateTime {
  const local = DateTime.fromJSDate(instant, { zone });
  return DateTime.utc(local.year, local.month, local.day);
}

/** The run's day in the month of `date`: its day of month, or the month's last day. */
function dayInMonth(schedule: MonthlySchedule, date: DateTime): DateTime {
  const month = date.startOf('month');
  return month.set({ day: Math.min(schedule.dayOfMonth, month.daysInMonth ?? 28) });
}

/** The first local date on or after `date` the schedule runs on, ignoring its end. */
function runDateOnOrAfter(schedule: Recurring, date: DateTime): DateTime {
  if (schedule.frequency === 'WEEKLY') {
    const weekday = WEEKDAYS.indexOf(schedule.dayOfWeek) + 1;
    return date.plus({ days: (weekday - date.weekday + 7) % 7 });
  }
  const inMonth = dayInMonth(schedule, date);
  return inMonth >= date ? inMonth : dayInMonth(schedule, date.plus({ months: 1 }).startOf('month'));
}

/** The run date after `runDate`. */
function followingRunDate(schedule: Recurring, runDate: DateTime): DateTime {
  if (schedule.frequency === 'WEEKLY') return runDate.plus({ days: 7 });
  return dayInMonth(schedule, runDate.startOf('month').plus({ months: 1 }));
}

/** How many runs come before the one on `runDate`. */
function runIndex(schedule: Recurring, runDate: DateTime): number {
  const first = runDateOnOrAfter(schedule, parseDate(schedule.startDate, 'startDate'));
  if (schedule.frequency === 'WEEKLY') return Math.round(runDate.diff(first, 'days').days / 7);
  return runDate.year * 12 + runDate.month - (first.year * 12 + first.month);
}

/** The local date of a recurrence's first run at `instant` (when `inclusive`) or after it, ignoring its end. */
function runDateFrom(schedule: Recurring, instant: Date, inclusive: boolean): DateTime {
  const start = parseDate(schedule.startDate, 'startDate');
  const today = localDate(instant, schedule.timeZone);
  const runDate = runDateOnOrAfter(schedule, today > start ? today : start);
  // A later date than the instant's runs after it; only a run on the same local date can already be past.
  const run = at(runDate, schedule.timeOfDay, schedule.timeZone).getTime();
  return run > instant.getTime() || (inclusive && run === instant.getTime()) ? runDate : followingRunDate(schedule, runDate);
}

/** The first run at `instant` (when `inclusive`) or after it, within the schedule's end; null when there is none. */
function runFrom(schedule: Schedule, instant: Date, inclusive: boolean): Date | null {
  if (schedule.frequency === 'ONCE') {
    const run = at(parseDate(schedule.date, 'date'), schedule.timeOfDay, schedule.timeZone);
    return run.getTime() > instant.getTime() || (inclusive && run.getTime() === instant.getTime()) ? run : null;
  }
  const runDate = runDateFrom(schedule, instant, inclusive);
  if (schedule.endDate !== null && isoDate(runDate) > schedule.endDate) return null;
  if (schedule.count !== null && runIndex(schedule, runDate) >= schedule.count) return null;
  return at(runDate, schedule.timeOfDay, schedule.timeZone);
}

/**
 * Checks a schedule and fixes a recurrence's start to the local date of its
 * first run at or after `now`, so that `count` counts from there.
 * Errors: BAD_USER_INPUT (`timeZone`, `timeOfDay`, `date` — also when a
 * one-off run is in the past —, `dayOfWeek`, `dayOfMonth`, `startDate`,
 * `endDate`, `count`).
 */
export function parseSchedule(input: ScheduleInput, now: Date): Schedule {
  const timeZone = parseTimeZone(input.timeZone);
  const timeOfDay = parseTimeOfDay(input.timeOfDay ?? DEFAULT_TIME_OF_DAY);
  if (input.frequency === 'ONCE') {
    const schedule: OnceSchedule = { frequency: 'ONCE', date: isoDate(parseDate(input.date, 'date')), timeOfDay, timeZone };
    if (runFrom(schedule, now, true) === null) throw errors.badInput('The payment date and time are in the past.', { field: 'date' });
    return schedule;
  }

  const today = localDate(now, timeZone);
  const start = input.startDate ? parseDate(input.startDate, 'startDate') : today;
  if (start < today) throw errors.badInput('startDate is in the past.', { field: 'startDate' });
  const endDate = input.endDate ? isoDate(parseDate(input.endDate, 'endDate')) : null;
  const count = input.count ?? null;
  if (count !== null && (!Number.isSafeInteger(count) || count < 1)) {
    throw errors.badInput('count must be a whole number of runs, at least 1.', { field: 'count' });
  }
  const common = { timeOfDay, timeZone, startDate: isoDate(start), endDate, count };
  let schedule: Recurring;
  if (input.frequency === 'WEEKLY') {
    if (!WEEKDAYS.includes(input.dayOfWeek)) throw errors.badInput('dayOfWeek must be a day such as MONDAY.', { field: 'dayOfWeek' });
    schedule = { ...common, frequency: 'WEEKLY', dayOfWeek: input.dayOfWeek };
  } else {
    const day = input.dayOfMonth;
    if (!Number.isInteger(day) || day < 1 || day > 31) throw errors.badInput('dayOfMonth must be from 1 to 31.', { field: 'dayOfMonth' });
    schedule = { ...common, frequency: 'MONTHLY', dayOfMonth: day };
  }
  const anchored: Recurring = { ...schedule, startDate: isoDate(runDateFrom(schedule, now, true)) };
  if (endDate !== null && endDate < anchored.startDate) throw errors.badInput('endDate is before the first run.', { field: 'endDate' });
  return anchored;
}

/**
 * The first run at or after `now`, in UTC; null when none is left (a one-off
 * run in the past, a recurrence past its end).
 */
export const firstRun = (schedule: Schedule, now: Date): Date | null => runFrom(schedule, now, true);

/**
 * The run after `previousRun`, in UTC; null when the schedule is done (a
 * one-off run, the end date or the count reached). Pass the time the previous
 * run was due, not when it happened to execute, so a late run skips nothing.
 */
export const nextRunAfter = (schedule: Schedule, previousRun: Date): Date | null => runFrom(schedule, previousRun, false);
