import type { DetailedCategory } from './taxonomy';
import { MERCHANT_DIRECTORY } from './merchant-directory';
import {
  CHANNEL_PREFIXES,
  CHANNEL_SUFFIXES,
  CITIES,
  COUNTRY_CODES,
  DOMAIN_ENDINGS,
  LEGAL_SUFFIXES,
  PROCESSOR_TAGS,
  SILENT_PROCESSORS,
  US_STATES,
  type PaymentChannel,
} from './descriptor-noise';

export type { PaymentChannel } from './descriptor-noise';

/** A merchant from the directory, as {@link parseDescriptor} finds it. */
export interface Merchant {
  key: string;
  name: string;
  /** The category of money paid to the merchant. */
  category: DetailedCategory;
  /** The category of money received from it when that is not a refund; absent means "same as `category`". */
  incomeCategory?: DetailedCategory;
}

/** What a raw statement line says once the bank's and the card network's noise is taken away. */
export interface ParsedDescriptor {
  /** A readable counterparty name: the merchant's own, or the cleaned descriptor ("Joe's Cafe"). */
  name: string;
  /** Upper-case words of the counterparty's name, without numbers, codes and location, for keyword rules. */
  words: readonly string[];
  /** Upper-case words of the payment reference the payer typed ("RENT", "SALARY"), if any. */
  referenceWords: readonly string[];
  /** The channel the bank printed ("DD", "CARD PAYMENT TO", ")))"), if any. */
  channel: PaymentChannel | null;
  /** The directory merchant the descriptor names, if any. */
  merchant: Merchant | null;
}

/** Longest part of a descriptor that is read; card networks send 22 to 40 characters, bank exports rarely over 140. */
const MAX_DESCRIPTOR_LENGTH = 256;

/** A word of a descriptor: as printed (for display) and as compared (upper case, no apostrophes). */
interface Token {
  text: string;
  key: string;
}

/** A directory pattern split into words, with the merchant it names. */
interface CompiledPattern {
  keys: readonly string[];
  length: number;
  merchant: Merchant;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first words of all channel phrases, so most lines skip the regular expressions. */
const channelFirstWords = new Set(
  Object.values(CHANNEL_PREFIXES).flatMap((phrases) => phrases.map((phrase) => phrase.split(' ')[0]!)),
);

/** One alternation per channel, longest phrase first; a phrase must end at a word boundary. */
const channelPrefixes = (Object.entries(CHANNEL_PREFIXES) as [PaymentChannel, readonly string[]][]).map(
  ([channel, phrases]) => {
    const alternatives = [...phrases].sort((a, b) => b.length - a.length).map((p) => escapeRegExp(p).replace(/ /g, '\\s+'));
    return { channel, pattern: new RegExp(`^(?:${alternatives.join('|')})(?=$|[\\s:.,*-])[\\s:.,-]*`, 'i') };
  },
);
const processorPrefix = new RegExp(`^(${PROCESSOR_TAGS.map(escapeRegExp).join('|')})\\s*\\*\\s*`, 'i');
const silentProcessorPrefix = new RegExp(`^(?:${SILENT_PROCESSORS.join('|')})\\s+`, 'i');
const channelSuffix = new RegExp(`[\\s,]+(${Object.keys(CHANNEL_SUFFIXES).map(escapeRegExp).join('|')})$`, 'i');

// Dates, times, amounts and card numbers as banks print them: "ON 12 MAR", "12MAR24",
// "12/03/2025", "2025-03-12", "14:32", "12.50 GBP", "CD 1234", "XXXX1234".
const MONTH = '(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEPT?|OCT|NOV|DEC)';
const numericNoise = new RegExp(
  [
    `\\bON\\s+\\d{1,2}\\s*${MONTH}[A-Z]*(?:\\s*\\d{2,4})?\\b`,
    `\\b\\d{1,2}\\s?${MONTH}(?:\\s?\\d{2,4})?\\b`,
    '\\b\\d{4}-\\d{2}-\\d{2}\\b',
    '\\b\\d{1,2}[/.-]\\d{1,2}(?:[/.-]\\d{2,4})?\\b',
    '\\b\\d{1,2}:\\d{2}(?::\\d{2})?\\b',
    '\\b\\d+[.,]\\d{2}\\s*(?:GBP|USD|EUR)?\\b',
    '\\b(?:GBP|USD|EUR)\\s*\\d+(?:[.,]\\d{2})?\\b',
    '\\b(?:CD|CARD|CARD NO)\\.?\\s*\\d{4}\\b',
    '[X*]{4,}\\d{4}\\b',
  ].join('|'),
  'gi',
);
/** US ACH trailers ("PPD ID: 1234567890") end the useful part of the line. */
const achTrailer = /\b(?:PPD|WEB|TEL|CCD)\s+ID:?.*$/i;
/** Words a payment reference starts with: Barclays "REF", Santander "REFERENCE", "RE:". */
const referenceMarker = /\s+(?:REF(?:ERENCE)?\b[.:]?|RE:|MANDATE NO\b)\s*/i;
/** Santander's inbound form "REF.SALARY FROM ACME LTD": the reference comes before the payer. */
const referenceThenPayer = /^REF(?:ERENCE)?[.:\s]\s*(.*?)\s+FROM\s+(.+)$/i;
/** Chase's ACH form: "ORIG CO NAME:GEICO ORIG ID:… CO ENTRY DESCR:PREM SEC:PPD …". */
const achRecord = /ORIG CO NAME:\s*(.+?)\s+ORIG ID:.*?(?:CO ENTRY DESCR:\s*(.+?)\s+SEC:|$)/i;

/** Splits text into words, keeping "B&Q"-style single-letter ampersands whole and reading any other "&" as "AND". */
function tokenize(text: string): Token[] {
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

/** Directory patterns by their first word, longest first, so the first hit at a position is the best one there. */
const patternsByFirstWord = new Map<string, CompiledPattern[]>();
for (const entry of MERCHANT_DIRECTORY) {
  const merchant: Merchant = { key: entry.key, name: entry.name, category: entry.category };
  if (entry.incomeCategory) merchant.incomeCategory = entry.incomeCategory;
  for (const pattern of entry.patterns) {
    const keys = tokenize(pattern).map((token) => token.key);
    const first = keys[0];
    if (first === undefined) continue;
    const list = patternsByFirstWord.get(first) ?? [];
    list.push({ keys, length: keys.join(' ').length, merchant });
    patternsByFirstWord.set(first, list);
  }
}
for (const list of patternsByFirstWord.values()) list.sort((a, b) => b.keys.length - a.keys.length || b.length - a.length);

/** The last word of every known city, so most words are ruled out with one lookup. */
const CITY_LAST_WORDS = new Set([...CITIES].map((city) => city.slice(city.lastIndexOf(' ') + 1)));

const isNumber = (key: string): boolean => /^\d+$/.test(key);
/** Reference codes such as "2K4LT12J5" or "S123456789": long, with at least two digits among letters. */
const isReferenceCode = (key: string): boolean => key.length >= 5 && /[A-Z]/.test(key) && /\d.*\d/.test(key);
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
function nameWords(text: string): { all: Token[]; tokens: Token[]; leadingNumber: boolean } {
  const all = tokenize(text).filter((t) => !isReferenceCode(t.key));
  const leadingNumber = isNumber(all[0]?.key ?? '');
  while (all.length > 0 && (isNumber(all[0]!.key) || all[0]!.key === 'WWW')) all.shift();
  return { all, tokens: withoutLocation(all), leadingNumber };
}

/** The longest directory pattern the words start with (after a leading "THE", too). */
function matchMerchant(keys: readonly string[]): Merchant | null {
  let best: CompiledPattern | null = null;
  const starts = keys[0] === 'THE' ? [0, 1] : [0];
  for (const start of starts) {
    for (const pattern of patternsByFirstWord.get(keys[start] ?? '') ?? []) {
      if (best && pattern.keys.length <= best.keys.length) break;
      if (pattern.keys.every((key, i) => keys[start + i] === key)) {
        best = pattern;
        break;
      }
    }
  }
  return best?.merchant ?? null;
}

/** True when the text starts with a directory pattern longer than its first word ("SO ENERGY", "DR MARTENS"). */
function startsWithLongMerchantName(text: string): boolean {
  const keys = tokenize(text).map((t) => t.key);
  return (patternsByFirstWord.get(keys[0] ?? '') ?? []).some(
    (p) => p.keys.length > 1 && p.keys.every((key, i) => keys[i] === key),
  );
}

/** Removes the bank's channel words from both ends, returning what is left and the channel they named. */
function stripChannel(text: string): { rest: string; channel: PaymentChannel | null } {
  let rest = text;
  let channel: PaymentChannel | null = null;
  // HSBC's ")))" and the word CONTACTLESS can sit anywhere in the line.
  if (/\){3}|\bCONTACTLESS\b/i.test(rest)) {
    channel = 'CARD';
    rest = rest.replace(/\){3}|\bCONTACTLESS(?:\s+PAYMENT)?\b/gi, ' ').trim();
  }
  for (let step = 0; step < 3; step++) {
    const firstWord = /^[^\s:.,*-]*/.exec(rest)![0].toUpperCase();
    if (!channelFirstWords.has(firstWord)) break;
    const hit = channelPrefixes.find(({ pattern }) => pattern.test(rest));
    if (!hit || startsWithLongMerchantName(rest)) break;
    const remainder = rest.replace(hit.pattern, '');
    // "ATM FEE", "CASH WITHDRAWAL FEE": the channel words name the fee, they are not the channel.
    if (/^FEES?\b/i.test(remainder)) break;
    channel ??= hit.channel;
    rest = remainder;
  }
  for (let step = 0; step < 2; step++) {
    const suffix = channelSuffix.exec(rest);
    if (!suffix || suffix.index === 0) break;
    channel ??= CHANNEL_SUFFIXES[suffix[1]!.toUpperCase()] ?? null;
    rest = rest.slice(0, suffix.index);
  }
  return { rest: rest.trim(), channel };
}

/** "JOES" → "Joe's" before a venue word: descriptors drop apostrophes, readers expect them. */
const VENUE_WORDS = new Set([
  'CAFE', 'COFFEE', 'BAR', 'DINER', 'KITCHEN', 'PIZZA', 'PIZZERIA', 'DELI', 'BAKERY', 'GRILL', 'PLACE',
  'SHOP', 'STORE', 'GARAGE', 'CHIPPY', 'BURGERS', 'RESTAURANT', 'PUB', 'TAVERN', 'BISTRO', 'SALON',
  'BARBERS', 'NAILS', 'FLOWERS', 'GYM', 'STUDIO', 'TACOS', 'KEBABS',
]);
const NOT_POSSESSIVE = new Set(['NOODLES', 'PIES', 'CAKES', 'FRIES', 'BAGELS', 'TREATS', 'JUICES', 'SMOOTHIES', 'GOODIES', 'COOKIES']);

/** One word as people write it: title case, "Mc" names, single-letter ampersands and mixed case kept. */
function displayWord(token: Token, next: Token | undefined, first: boolean): string {
  const { text, key } = token;
  if (/^[A-Z]&[A-Z]$/.test(key) || text === '&') return text;
  if (text !== text.toUpperCase() && text !== text.toLowerCase()) return text; // already mixed case: "McDonald's", "iPhone"
  const possessive =
    first && next && VENUE_WORDS.has(next.key) && !NOT_POSSESSIVE.has(key) && /^[A-Z]{2,7}[EIOY]S$/.test(key) && !text.includes("'");
  const word = possessive ? `${text.slice(0, -1)}'${text.slice(-1)}` : text;
  const lower = word.toLowerCase();
  if (/^mc[a-z]{3,}/.test(lower)) return `Mc${lower.charAt(2).toUpperCase()}${lower.slice(3)}`;
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** Title-cases the name's words, without legal forms and web-address endings. */
function displayName(tokens: readonly Token[]): string {
  let words = tokens.filter((t) => !isNumber(t.key));
  while (words.length > 1 && (LEGAL_SUFFIXES.has(words.at(-1)!.key) || DOMAIN_ENDINGS.has(words.at(-1)!.key))) {
    words = words.slice(0, -1);
  }
  return words.map((token, i) => displayWord(token, words[i + 1], i === 0)).join(' ');
}

/**
 * Reads a raw statement line: its readable name, keyword words, channel and directory merchant.
 * Only the first `MAX_DESCRIPTOR_LENGTH` characters are read: banks print far fewer, and a
 * payer-typed reference must not make the expressions here slow.
 */
export function parseDescriptor(raw: string): ParsedDescriptor {
  let text = raw.slice(0, MAX_DESCRIPTOR_LENGTH).replace(/\t/g, ' ').trim();
  let reference = '';
  let channel: PaymentChannel | null = null;

  const ach = achRecord.exec(text);
  if (ach) {
    text = ach[1]!;
    reference = ach[2] ?? '';
    channel = 'DIRECT_DEBIT';
  } else {
    ({ rest: text, channel } = stripChannel(text));
  }
  if (/\d/.test(text)) text = text.replace(numericNoise, ' ').replace(achTrailer, ' ');

  const payerAfterReference = referenceThenPayer.exec(text);
  if (payerAfterReference) {
    reference = `${payerAfterReference[1]} ${reference}`;
    text = payerAfterReference[2]!;
  } else {
    const marker = referenceMarker.exec(text);
    if (marker) {
      reference = `${text.slice(marker.index + marker[0].length)} ${reference}`;
      text = text.slice(0, marker.index);
    }
  }
  text = text.split(',')[0]!.trim();

  // "SQ *JOES CAFE": the seller follows the processor's tag.
  const processor = processorPrefix.exec(text) ?? silentProcessorPrefix.exec(text);
  if (processor) text = text.slice(processor[0].length);
  // Fixed-width network records separate name, city and country by runs of spaces: the name is the first field.
  text = text.trim().split(/\s{2,}/)[0] ?? '';

  // "AMZN Mktp UK*2K4LT12J5", "UBER *EATS": the name is before the `*`, a product or an order code after it.
  const star = text.indexOf('*');
  const shown = star > 0 ? text.slice(0, star) : text.replace('*', ' ');
  const matched = text.replace(/\*/g, ' ');
  const { all, tokens: nameTokens, leadingNumber } = nameWords(matched);
  const shownTokens = nameWords(shown).tokens;
  const referenceWords = tokenize(reference)
    .map((t) => t.key)
    .filter((key) => !isNumber(key) && !isReferenceCode(key));

  // A leading number may belong to the name ("7-ELEVEN") rather than be a store number.
  const withNumber = leadingNumber ? matchMerchant(tokenize(matched).map((t) => t.key)) : null;
  const merchant = withNumber ?? matchMerchant(all.map((t) => t.key));
  const words = nameTokens.map((t) => t.key).filter((key) => !isNumber(key));
  const name = merchant?.name || displayName(shownTokens) || displayName(nameTokens) || raw.slice(0, MAX_DESCRIPTOR_LENGTH).trim();
  return { name, words, referenceWords, channel, merchant };
}
