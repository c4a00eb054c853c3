/**
 * The words of a statement line: split as people read them, without reference codes,
 * store numbers and the location a card network appends.
 */
import { CITIES, COUNTRY_CODES, US_STATES } from './descriptor-noise';

/** A word of a descriptor: as printed (for display) and as compared (upper case, no apostrophes). */
export interface Token {
  text: string;
  key: string;
}

/** Splits text into words, keeping "B&Q"-style single-letter ampersands whole and reading any other "&" as "AND". */
export function tokenize(text: string): Token[] {
  let plain = text;
  // Accents and curly quotes are rare in descriptors: the costly folding runs only when needed.
  if (/[^\x20-\x7e]/.test(plain)) plain = plain.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[\u2018\u2019]/g, "'");
  if (/&|\+|\band\b/i.test(plain)) {
    plain = plain.replace(/(^|[^A-Za-z0-9])([A-Za-z])\s*(?:&|\+|\band\b)\s*([A-Za-z])(?![A-Za-z0-9])/gi, '$1$2&$3');
  }
  const tokens: Token[] = [];
  // Letters of any script count: a clean name from an app may be "Кафе Пушкин" or "すし匠".
  for (const piece of plain.split(/[^\p{L}\p{N}&'`]+/u)) {
    if (!piece) continue;
    if (/^[A-Za-z]&[A-Za-z]$/.test(piece)) {
      tokens.push({ text: piece.toUpperCase(), key: piece.toUpperCase() });
      continue;
    }
    const parts = piece.split('&');
    for (let index = 0; index < parts.length; index++) {
      if (index > 0) tokens.push({ text: '&', key: 'AND' });
      const text = parts[index]!.replace(/^['`]+|['`]+$/g, '');
      if (!text) continue;
      const key = text.replace(/['`]/g, '').toUpperCase();
      // "STORES3297": a store number glued to the name.
      const glued = /^([A-Z]{3,})(\d{3,})$/.exec(key);
      if (glued) tokens.push({ text: text.slice(0, glued[1]!.length), key: glued[1]! }, { text: glued[2]!, key: glued[2]! });
      else tokens.push({ text, key });
    }
  }
  return tokens;
}

/** The last word of every known city, so most words are ruled out with one lookup. */
const CITY_LAST_WORDS = new Set([...CITIES].map((city) => city.slice(city.lastIndexOf(' ') + 1)));

/** A word of digits only: a store or reference number. */
export const isNumber = (key: string): boolean => /^\d+$/.test(key);
/** Reference codes such as "2K4LT12J5" or "S123456789": long, with at least two digits among letters. */
export const isReferenceCode = (key: string): boolean => key.length >= 5 && /[A-Z]/.test(key) && /\d.*\d/.test(key);
const isPostcodeDistrict = (key: string): boolean => /^[A-Z]{1,2}\d[A-Z\d]?$/.test(key);

/** How many of the words ending at `end` form a known city (up to three words, "SALT LAKE CITY"). */
function cityLengthEndingAt(tokens: readonly Token[], end: number): number {
  const last = tokens[end - 1]?.key;
  if (last === undefined || !CITY_LAST_WORDS.has(last)) return 0;
  for (let length = Math.min(3, end); length >= 1; length--) {
    const phrase = tokens.slice(end - length, end).map((t) => t.key).join(' ');
    if (CITIES.has(phrase)) return length;
  }
  return 0;
}

/** Drops the store number and location a card network appends ("3297 LONDON GB", "SEATTLE WA", "LONDON W1T"), always keeping one word. */
function withoutLocation(tokens: readonly Token[]): Token[] {
  let end = tokens.length;
  for (let step = 0; step < 5 && end > 1; step++) {
    const last = tokens[end - 1]!.key;
    if (COUNTRY_CODES.has(last) || isNumber(last)) end -= 1;
    else if ((US_STATES.has(last) || isPostcodeDistrict(last)) && cityLengthEndingAt(tokens, end - 1) > 0) end -= 1;
    else {
      const city = cityLengthEndingAt(tokens, end);
      if (city === 0 || end - city < 1) break;
      end -= city;
    }
  }
  return tokens.slice(0, end);
}

/**
 * The words of a name without reference codes or a store number or "WWW" before it:
 * `all` for matching the directory (whose patterns only constrain the start), `tokens`
 * also without the trailing store number and location, for keywords and display.
 */
export function nameWords(text: string): { all: Token[]; tokens: Token[]; leadingNumber: boolean } {
  const all = tokenize(text).filter((t) => !isReferenceCode(t.key));
  const leadingNumber = isNumber(all[0]?.key ?? '');
  while (all.length > 0 && (isNumber(all[0]!.key) || all[0]!.key === 'WWW')) all.shift();
  return { all, tokens: withoutLocation(all), leadingNumber };
}
