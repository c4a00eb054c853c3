import { countryCode, countryOfPlace } from './countries';

/** A span of possible dates of birth, both ends ISO `YYYY-MM-DD` and inclusive; an exact date has from = to. */
export interface DateRange {
  from: string;
  to: string;
}

/** What the screener uses from an SDN remarks field. */
export interface RemarkFacts {
  datesOfBirth: DateRange[];
  /** ISO alpha-2 codes from nationality, citizenship and place of birth, in order of first mention. */
  countries: string[];
}

const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function isoDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Days in a month of a year (month 1–12), leap years included. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Month number 1–12 of `Mar`, `Sept` or `March` (any case), or undefined. */
function monthNumber(word: string): number | undefined {
  const lower = word.toLowerCase();
  if (lower.length < 3) return undefined;
  const index = MONTHS.findIndex((name) => name.startsWith(lower));
  return index < 0 ? undefined : index + 1;
}

/** `12 Mar 1968`, `Mar 1968` or `1968` as the range of days it allows. */
function parseSingleDate(text: string): DateRange | undefined {
  const parts = text.trim().split(/\s+/);
  const year = Number(parts[parts.length - 1]);
  if (!/^\d{4}$/.test(parts[parts.length - 1] ?? '')) return undefined;
  if (parts.length === 1) return { from: isoDate(year, 1, 1), to: isoDate(year, 12, 31) };
  const month = monthNumber(parts[parts.length - 2] ?? '');
  if (month === undefined) return undefined;
  const lastDay = daysInMonth(year, month);
  if (parts.length === 2) return { from: isoDate(year, month, 1), to: isoDate(year, month, lastDay) };
  if (parts.length !== 3 || !/^\d{1,2}$/.test(parts[0] ?? '')) return undefined;
  const day = Number(parts[0]);
  if (day < 1 || day > lastDay) return undefined;
  const date = isoDate(year, month, day);
  return { from: date, to: date };
}

/** Moves an ISO date by whole years, keeping month and day (29 Feb falls back to 28 Feb). */
function shiftYears(date: string, years: number): string {
  const year = Number(date.slice(0, 4)) + years;
  const month = Number(date.slice(5, 7));
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(year, month));
  return isoDate(year, month, day);
}

/**
 * The value of a DOB remark as a range: `12 Mar 1968`, `Jan 1970`, `1970`,
 * `1955 to 1958` (any precision at either end) and `circa …`, which widens
 * what follows by a year each side (`circa 1960` → 1959-01-01..1961-12-31).
 * Undefined when the text is not a date OFAC writes.
 */
export function parseDateOfBirth(text: string): DateRange | undefined {
  const value = text.trim();
  const circa = /^circa\s+(.+)$/i.exec(value);
  if (circa) {
    const inner = parseDateOfBirth(circa[1] ?? '');
    return inner && { from: shiftYears(inner.from, -1), to: shiftYears(inner.to, 1) };
  }
  const range = /^(.+?)\s+to\s+(.+)$/i.exec(value);
  if (range) {
    const start = parseSingleDate(range[1] ?? '');
    const end = parseSingleDate(range[2] ?? '');
    if (!start || !end || start.from > end.to) return undefined;
    return { from: start.from, to: end.to };
  }
  return parseSingleDate(value);
}

/** Appends a value unless it is already there, keeping first-mention order. */
function addOnce<T>(list: T[], value: T | undefined): void {
  if (value !== undefined && !list.includes(value)) list.push(value);
}

/**
 * The dates of birth and countries in an SDN remarks field, whose facts are
 * separated by `;` (`DOB 12 Mar 1968; POB Moscow, Russia; nationality Russia;
 * alt. citizen Cyprus.`). Facts it does not use, and dates or countries it
 * cannot read, are skipped: remarks are free text and one odd fact must not
 * stop a list from loading.
 */
export function parseRemarks(remarks: string): RemarkFacts {
  const facts: RemarkFacts = { datesOfBirth: [], countries: [] };
  for (const raw of remarks.split(';')) {
    const fact = raw.trim().replace(/\.$/, '').replace(/^alt\.\s+/i, '');
    const match = /^(DOB|POB|nationality|citizen)\s+(.+)$/i.exec(fact);
    if (!match) continue;
    const kind = (match[1] ?? '').toLowerCase();
    const value = match[2] ?? '';
    if (kind === 'dob') {
      const range = parseDateOfBirth(value);
      if (range && !facts.datesOfBirth.some((d) => d.from === range.from && d.to === range.to)) facts.datesOfBirth.push(range);
    } else if (kind === 'pob') {
      addOnce(facts.countries, countryOfPlace(value));
    } else {
      addOnce(facts.countries, countryCode(value));
    }
  }
  return facts;
}
