import type { IndexedName } from './candidate-index';
import { matchStrength, tokenSimilarity, withoutJoinedArticle } from './name-matching';
import { phoneticCode } from './phonetic';

/** A blocking key and the tokens of its name it stands for. */
export interface BlockingKey {
  key: string;
  /** Indexes of the tokens the key is made of. */
  covers: number[];
}

/**
 * Share of distinct bigrams (of the key padded with `$`) two keys must have in
 * common, as a Dice coefficient, for the finer comparison to be made. Low on
 * purpose: it only limits how many keys get compared, and the recall tests
 * check that nothing a full scan would find is lost.
 */
const MIN_BIGRAM_DICE = 0.3;
/**
 * Query keys whose close keys are remembered between searches. Customers'
 * names share most of their tokens (common given names and surnames), so a
 * re-screening of many customers mostly finds its close keys here. A common
 * key has a few hundred close keys, so the cache stays within tens of megabytes.
 */
const CLOSE_KEY_CACHE_SIZE = 5_000;

/**
 * Keys a name is found by: each token of two or more letters, each token
 * without a joined article, and each pair of neighbouring tokens written as
 * one. Initials are too common to find anyone by.
 */
export function blockingKeys(tokens: string[]): BlockingKey[] {
  const keys: BlockingKey[] = [];
  tokens.forEach((token, i) => {
    if (token.length >= 2) keys.push({ key: token, covers: [i] });
    const bare = withoutJoinedArticle(token);
    if (bare) keys.push({ key: bare, covers: [i] });
    const next = tokens[i + 1];
    if (next !== undefined) keys.push({ key: token + next, covers: [i, i + 1] });
  });
  return keys;
}

function bigrams(key: string): string[] {
  const padded = `$${key}$`;
  const set = new Set<string>();
  for (let i = 0; i + 1 < padded.length; i++) set.add(padded.slice(i, i + 2));
  return [...set];
}

function pushTo<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Index keys close enough to a query key to pair with it, with their similarity to it. */
export interface CloseKeys {
  ids: Int32Array;
  similarities: Float64Array;
}

/** Finds the keys of an index close to a query key, and the phonetic codes of tokens. */
export interface CloseKeyFinder {
  /** Nearby keys that could pair with `query`, from the cache when it has them. */
  closeKeys(query: string): CloseKeys;
  /** Phonetic codes of the list's keys and tokens, and of others as they come (remembered in `extra`). */
  phoneticWith(extra: Map<string, string>): (token: string) => string;
}

/**
 * Looks keys up by phonetic code (Metaphone) or by shared character bigrams; `keys` are
 * the index's keys by id, `names` the names they were taken from.
 */
export function createCloseKeyFinder(keys: readonly string[], names: readonly IndexedName[]): CloseKeyFinder {
  const codes = new Map<string, string>();
  const byCode = new Map<string, number[]>();
  const byBigram = new Map<string, number[]>();
  const bigramCounts: number[] = [];
  keys.forEach((key, id) => {
    const code = phoneticCode(key);
    codes.set(key, code);
    if (code.length >= 2) pushTo(byCode, code, id);
    const grams = bigrams(key);
    bigramCounts.push(grams.length);
    for (const gram of grams) pushTo(byBigram, gram, id);
  });
  for (const indexed of names) {
    for (const token of indexed.tokens) if (!codes.has(token)) codes.set(token, phoneticCode(token));
  }
  /** Phonetic codes of the list's keys and tokens, and of others as they come (remembered in `extra`). */
  const phoneticWith = (extra: Map<string, string>) => (token: string): string => {
    let code = codes.get(token) ?? extra.get(token);
    if (code === undefined) {
      code = phoneticCode(token);
      extra.set(token, code);
    }
    return code;
  };

  const sharedCounts = new Int32Array(keys.length);
  const closeKeyCache = new Map<string, CloseKeys>();

  /** Keys sharing a phonetic code with `query` or enough of its bigrams. */
  function nearbyKeys(query: string, code: string): Set<number> {
    const found = new Set<number>(code.length >= 2 ? (byCode.get(code) ?? []) : []);
    const grams = bigrams(query);
    const touched: number[] = [];
    for (const gram of grams) {
      for (const id of byBigram.get(gram) ?? []) {
        if (sharedCounts[id] === 0) touched.push(id);
        sharedCounts[id] = (sharedCounts[id] as number) + 1;
      }
    }
    for (const id of touched) {
      const shared = sharedCounts[id] as number;
      sharedCounts[id] = 0;
      if ((2 * shared) / (grams.length + (bigramCounts[id] as number)) >= MIN_BIGRAM_DICE) found.add(id);
    }
    return found;
  }

  /** Nearby keys that could pair with `query`, from the cache when it has them. */
  function closeKeys(query: string): CloseKeys {
    const cached = closeKeyCache.get(query);
    if (cached) return cached;
    const ids: number[] = [];
    const similarities: number[] = [];
    const phonetic = phoneticWith(new Map());
    for (const id of nearbyKeys(query, phonetic(query))) {
      const key = keys[id] as string;
      const similarity = tokenSimilarity(query, key, phonetic);
      if (matchStrength(query, key, similarity) === 0) continue;
      ids.push(id);
      similarities.push(similarity);
    }
    const close = { ids: Int32Array.from(ids), similarities: Float64Array.from(similarities) };
    if (closeKeyCache.size >= CLOSE_KEY_CACHE_SIZE) closeKeyCache.delete(closeKeyCache.keys().next().value as string);
    closeKeyCache.set(query, close);
    return close;
  }

  return { closeKeys, phoneticWith };
}
