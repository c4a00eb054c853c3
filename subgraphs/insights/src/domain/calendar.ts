import { errors } from '@meridian/platform';
import { DateTime } from 'luxon';

// Insights dates are local calendar dates (`YYYY-MM-DD`) already in the customer's
// time zone, so all arithmetic runs in UTC, where every day is 24 hours long.
const zone = 'utc';
const millisPerDay = 86_400_000;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** A local date as a luxon DateTime at UTC midnight. Errors: BAD_USER_INPUT (not a real `YYYY-MM-DD` date). */
export function parseDate(date: string, field = 'date'): DateTime {
  const parsed = isoDate.test(date) ? DateTime.fromISO(date, { zone }) : null;
  if (!parsed?.isValid) throw errors.badInput(`${field} must be a date such as "2026-01-31".`, { field });
  return parsed;
}

/** The `YYYY-MM-DD` text of a UTC DateTime. */
function formatDate(date: DateTime): string {
  return date.toISODate() as string;
}

/** Days since 1970-01-01: an integer that makes intervals and comparisons cheap. */
export function dayNumber(date: string): number {
  return Math.round(parseDate(date).toMillis() / millisPerDay);
}

/** The date of a day number from {@link dayNumber}. */
export function dateOfDay(day: number): string {
  return formatDate(DateTime.fromMillis(day * millisPerDay, { zone }));
}

/** `date` moved by `days` (negative moves back). */
export function addDays(date: string, days: number): string {
  return formatDate(parseDate(date).plus({ days }));
}

/** The first day of a `YYYY-MM` month. Errors: BAD_USER_INPUT. */
export function parseMonth(month: string, field = 'month'): DateTime {
  if (!/^\d{4}-\d{2}$/.test(month)) throw errors.badInput(`${field} must be a month such as "2026-01".`, { field });
  return parseDate(`${month}-01`, field);
}
