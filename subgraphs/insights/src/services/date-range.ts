import { errors } from '@meridian/platform';
import { DateTime } from 'luxon';

/** A span of local dates, both ends included. */
export interface DateRange {
  from: string;
  to: string;
}

/** The longest span a range may cover. */
const MAX_RANGE_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A local date `YYYY-MM-DD`, checked. Errors: BAD_USER_INPUT with `field`. */
export function localDate(value: string, field: string): string {
  const parsed = DATE.test(value) ? DateTime.fromISO(value, { zone: 'utc' }) : null;
  if (!parsed?.isValid) throw errors.badInput(`${field} must be a date written YYYY-MM-DD.`, { field });
  return value;
}

/** A checked range: both dates valid, `from` not after `to`, at most a year. Errors: BAD_USER_INPUT. */
export function dateRange(range: DateRange, field: string): DateRange {
  const from = localDate(range.from, `${field}.from`);
  const to = localDate(range.to, `${field}.to`);
  const days = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days;
  if (days < 0) throw errors.badInput(`${field}.from must not be after ${field}.to.`, { field });
  if (days >= MAX_RANGE_DAYS) throw errors.badInput(`${field} covers at most ${MAX_RANGE_DAYS} days.`, { field });
  return { from, to };
}
