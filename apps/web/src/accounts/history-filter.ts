/** A calendar date as an `<input type="date">` gives it. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The history's filter as it sits in the address (`?from=2026-01-01&to=2026-01-31&q=rent`). */
export interface HistorySearch {
  /** First day shown, inclusive (local time). */
  from?: string;
  /** Last day shown, inclusive (local time). */
  to?: string;
  /** Text to look for in the transactions' descriptions, kinds and amounts. */
  q?: string;
}

/** True for a real calendar date in `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return date.getFullYear() === Number(match[1]) && date.getMonth() === Number(match[2]) - 1 && date.getDate() === Number(match[3]);
}

/** Keeps the well-formed parts of `?from&to&q`, dropping anything else. */
export function readHistorySearch(search: Record<string, unknown>): HistorySearch {
  const out: HistorySearch = {};
  if (typeof search.from === 'string' && isCalendarDate(search.from)) out.from = search.from;
  if (typeof search.to === 'string' && isCalendarDate(search.to)) out.to = search.to;
  if (typeof search.q === 'string' && search.q.trim()) out.q = search.q.slice(0, 100);
  return out;
}

function localMidnight(date: string, addDays = 0): Date {
  const [, y, m, d] = DATE.exec(date)!;
  return new Date(Number(y), Number(m) - 1, Number(d) + addDays);
}

/**
 * The `from`/`to` instants the history query takes for a range of local days:
 * `from` is the first day's midnight, `to` (exclusive) the midnight after the
 * last day. Undefined ends stay open.
 */
export function historyRange(search: HistorySearch): { from?: string; to?: string } {
  return {
    from: search.from ? localMidnight(search.from).toISOString() : undefined,
    to: search.to ? localMidnight(search.to, 1).toISOString() : undefined,
  };
}

/** Why the range cannot be asked for, or undefined. */
export function rangeProblem(search: HistorySearch): string | undefined {
  if (search.from && search.to && search.from > search.to) return 'The start date is after the end date.';
  return undefined;
}

/** "CARD_PAYMENT" → "Card payment". */
export function humanizeCode(code: string): string {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
