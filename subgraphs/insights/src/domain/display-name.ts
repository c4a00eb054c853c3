/** The counterparty's name as a reader expects it, from the words of a descriptor. */
import { DOMAIN_ENDINGS, LEGAL_SUFFIXES } from './descriptor-noise';
import { isNumber, type Token } from './descriptor-words';

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
export function displayName(tokens: readonly Token[]): string {
  let words = tokens.filter((t) => !isNumber(t.key));
  while (words.length > 1 && (LEGAL_SUFFIXES.has(words.at(-1)!.key) || DOMAIN_ENDINGS.has(words.at(-1)!.key))) {
    words = words.slice(0, -1);
  }
  return words.map((token, i) => displayWord(token, words[i + 1], i === 0)).join(' ');
}
