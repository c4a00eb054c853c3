/** The merchant directory as word patterns, and the merchant a descriptor's words start with. */
import { tokenize } from './descriptor-words';
import { MERCHANT_DIRECTORY } from './merchant-directory';
import type { DetailedCategory } from './taxonomy';

/** A merchant from the directory, as `parseDescriptor` (merchants.ts) finds it. */
export interface Merchant {
  key: string;
  name: string;
  /** The category of money paid to the merchant. */
  category: DetailedCategory;
  /** The category of money received from it when that is not a refund; absent means "same as `category`". */
  incomeCategory?: DetailedCategory;
}

/** A directory pattern split into words, with the merchant it names. */
interface CompiledPattern {
  keys: readonly string[];
  length: number;
  merchant: Merchant;
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

/** The longest directory pattern the words start with (after a leading "THE", too). */
export function matchMerchant(keys: readonly string[]): Merchant | null {
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
export function startsWithLongMerchantName(text: string): boolean {
  const keys = tokenize(text).map((t) => t.key);
  return (patternsByFirstWord.get(keys[0] ?? '') ?? []).some(
    (p) => p.keys.length > 1 && p.keys.every((key, i) => keys[i] === key),
  );
}
