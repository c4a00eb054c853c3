import type { ScheduleFrequency, ScheduleInput, ScheduledPaymentPartsFragment, Weekday } from '@meridian/client/web';
import { dateTime, humanizeCode } from './payment-labels';

/** The schedule's fields, as typed. */
export interface ScheduleValues {
  frequency: ScheduleFrequency;
  /** For ONCE: `YYYY-MM-DD`. */
  date: string;
  dayOfWeek: string;
  /** For MONTHLY: 1 to 31, as typed. */
  dayOfMonth: string;
  /** `HH:mm`. */
  timeOfDay: string;
  timeZone: string;
  /** Optional last date of a recurrence. */
  endDate: string;
  /** Optional number of runs of a recurrence, as typed. */
  count: string;
}

export const WEEKDAYS: { value: Weekday; label: string }[] = [
  { value: 'MONDAY', label: 'Monday' },
  { value: 'TUESDAY', label: 'Tuesday' },
  { value: 'WEDNESDAY', label: 'Wednesday' },
  { value: 'THURSDAY', label: 'Thursday' },
  { value: 'FRIDAY', label: 'Friday' },
  { value: 'SATURDAY', label: 'Saturday' },
  { value: 'SUNDAY', label: 'Sunday' },
];

/** The browser's IANA time zone (what a schedule runs in unless the person changes it). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether `zone` is an IANA name (`Europe/London`, `UTC`) this browser knows; abbreviations such as `BST` are refused, as payments does. */
export function isTimeZone(zone: string): boolean {
  const name = zone.trim();
  if (name !== 'UTC' && !name.includes('/')) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Today's date where the browser is, `YYYY-MM-DD`. */
export function localToday(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** A real calendar date written `YYYY-MM-DD`. */
function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The form errors of the schedule's fields (null where a field is fine). */
export function scheduleErrors(values: ScheduleValues, today = localToday()): Record<keyof ScheduleValues, string | null> {
  const once = values.frequency === 'ONCE';
  const count = values.count.trim();
  const endDate = values.endDate.trim();
  return {
    frequency: null,
    date: once ? (!isDate(values.date) ? 'Choose the date it is paid.' : values.date < today ? 'Choose today or a later date.' : null) : null,
    dayOfWeek: values.frequency === 'WEEKLY' && !WEEKDAYS.some((d) => d.value === values.dayOfWeek) ? 'Choose the day of the week.' : null,
    dayOfMonth: values.frequency === 'MONTHLY' && !/^([1-9]|[12]\d|3[01])$/.test(values.dayOfMonth.trim()) ? 'Enter a day from 1 to 31.' : null,
    timeOfDay: /^([01]\d|2[0-3]):[0-5]\d$/.test(values.timeOfDay) ? null : 'Enter a time such as 09:00.',
    timeZone: isTimeZone(values.timeZone) ? null : 'Enter a time zone such as Europe/London.',
    endDate: !once && endDate ? (!isDate(endDate) ? 'Choose a real date, or leave it empty.' : endDate < today ? 'Choose today or a later date.' : null) : null,
    count: !once && count && !/^[1-9]\d{0,3}$/.test(count) ? 'Enter a number of payments from 1 to 9999, or leave it empty.' : null,
  };
}

/** The API's schedule for checked values. */
export function scheduleInputOf(values: ScheduleValues): ScheduleInput {
  const common = { frequency: values.frequency, timeOfDay: values.timeOfDay, timeZone: values.timeZone.trim() };
  if (values.frequency === 'ONCE') return { ...common, date: values.date };
  const end = { ...(values.endDate.trim() ? { endDate: values.endDate.trim() } : {}), ...(values.count.trim() ? { count: Number(values.count.trim()) } : {}) };
  if (values.frequency === 'WEEKLY') return { ...common, dayOfWeek: values.dayOfWeek as Weekday, ...end };
  return { ...common, dayOfMonth: Number(values.dayOfMonth.trim()), ...end };
}

const FREQUENCY: Record<ScheduleFrequency, string> = { ONCE: 'Once', WEEKLY: 'Every week', MONTHLY: 'Every month' };

/** "Every month at 09:00 (Europe/London)". */
export function describeSchedule(scheduled: Pick<ScheduledPaymentPartsFragment, 'frequency' | 'timeOfDay' | 'timeZone'>): string {
  return `${FREQUENCY[scheduled.frequency]} at ${scheduled.timeOfDay} (${scheduled.timeZone})`;
}

/** When it runs next, in the browser's time, or why it will not. */
export function describeNextRun(scheduled: Pick<ScheduledPaymentPartsFragment, 'status' | 'nextRunAt'>): string {
  if (scheduled.status === 'CANCELED') return 'Cancelled: it will not run again';
  if (!scheduled.nextRunAt) return 'No more runs';
  return `Next: ${dateTime.format(new Date(scheduled.nextRunAt))}`;
}

/** How the last run ended (`SUCCEEDED`, `FAILED:<code>`, `REFUSED:<code>`), for people; undefined before the first run. */
export function describeLastOutcome(outcome: string | null | undefined): string | undefined {
  if (!outcome) return undefined;
  const [what, code] = outcome.split(':');
  if (what === 'FAILED') return `Last run failed: ${humanizeCode(code ?? 'unknown')}`;
  if (what === 'REFUSED') return `Last run could not pay: ${humanizeCode(code ?? 'unknown')}`;
  if (what === 'SUCCEEDED') return 'Last run paid';
  return `Last run: ${humanizeCode(what)}`;
}
