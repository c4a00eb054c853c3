import type { CurrencyCode } from '@meridian/client/web';
import { isCalendarDate } from '../accounts/history-filter';

/** The periods the spending screen offers; `custom` takes `from` and `to` from the address. */
export const PERIODS = [
  { value: 'this-month', label: 'This month' },
  { value: 'last-month', label: 'Last month' },
  { value: 'last-3-months', label: 'Last 3 months' },
  { value: 'last-12-months', label: 'Last 12 months' },
  { value: 'custom', label: 'Choose the dates' },
] as const;

export type PeriodPreset = (typeof PERIODS)[number]['value'];

/** The currencies Meridian holds, in the order the pickers show them. */
export const CURRENCIES: readonly CurrencyCode[] = ['GBP', 'EUR', 'USD', 'INR', 'JPY'];

/** Insights counts at most this many days in one range (both ends included). */
export const MAX_RANGE_DAYS = 366;

/** The spending screen's choices as they sit in the address (`?period=custom&from=…&to=…&currency=EUR`). */
export interface SpendingSearch {
  period?: PeriodPreset;
  /** First day (custom period), `YYYY-MM-DD`. */
  from?: string;
  /** Last day (custom period), `YYYY-MM-DD`. */
  to?: string;
  currency?: CurrencyCode;
}

/** Keeps the well-formed parts of the spending screen's address, dropping anything else. */
export function readSpendingSearch(search: Record<string, unknown>): SpendingSearch {
  const out: SpendingSearch = {};
  if (PERIODS.some((p) => p.value === search.period)) out.period = search.period as PeriodPreset;
  if (typeof search.from === 'string' && isCalendarDate(search.from)) out.from = search.from;
  if (typeof search.to === 'string' && isCalendarDate(search.to)) out.to = search.to;
  if (CURRENCIES.includes(search.currency as CurrencyCode)) out.currency = search.currency as CurrencyCode;
  return out;
}

/** A local date written `YYYY-MM-DD`. */
export function localDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** The first day of the month `monthsBack` months before `today`'s. */
function monthStart(today: Date, monthsBack: number): Date {
  return new Date(today.getFullYear(), today.getMonth() - monthsBack, 1);
}

/**
 * The days a period covers, as insights takes them (local dates, both ends
 * included): a preset counted back from `today`, or the custom `from`/`to`
 * (undefined until both are chosen). "Last 12 months" is this month and the
 * eleven before it, so it never exceeds {@link MAX_RANGE_DAYS}.
 */
export function periodRange(search: SpendingSearch, today: Date): { from: string; to: string } | undefined {
  switch (search.period ?? 'this-month') {
    case 'this-month':
      return { from: localDay(monthStart(today, 0)), to: localDay(today) };
    case 'last-month':
      return { from: localDay(monthStart(today, 1)), to: localDay(new Date(today.getFullYear(), today.getMonth(), 0)) };
    case 'last-3-months':
      return { from: localDay(monthStart(today, 2)), to: localDay(today) };
    case 'last-12-months':
      return { from: localDay(monthStart(today, 11)), to: localDay(today) };
    case 'custom':
      return search.from && search.to ? { from: search.from, to: search.to } : undefined;
  }
}

/** Days from `from` to `to`, both included (calendar days, whatever the clock changes). */
export function daysCovered(from: string, to: string): number {
  const day = (value: string) => Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10)));
  return Math.round((day(to) - day(from)) / 86_400_000) + 1;
}

/** Why a custom range cannot be asked for, or undefined. */
export function periodProblem(search: SpendingSearch): string | undefined {
  if (search.period !== 'custom') return undefined;
  if (!search.from || !search.to) return 'Choose the first and the last day.';
  if (search.from > search.to) return 'The start date is after the end date.';
  if (daysCovered(search.from, search.to) > MAX_RANGE_DAYS) return `Choose at most ${MAX_RANGE_DAYS} days.`;
  return undefined;
}

/** The default currency: GBP when the customer holds it, else the first one they hold, else GBP. */
export function defaultCurrency(held: readonly CurrencyCode[]): CurrencyCode {
  return held.includes('GBP') ? 'GBP' : (held[0] ?? 'GBP');
}
