import {
  COVERAGE_EXPONENT,
  mayPair,
  matchStrength,
  tokenSimilarity,
  tokenWeight,
  withoutJoinedArticle,
} from './name-matching';
import { phoneticCode } from './phonetic';

/** One name (primary or alias) of a listed entry, as the index holds it. */
export interface IndexedName {
  /** Position of the entry in the list the index was built from. */
  entry: number;
  name: string;
  tokens: string[];
  weak: boolean;
}

/** A name worth scoring, with the most it could score. */
export interface Candidate {
  /** Position in the index's `names`. */
  position: number;
  /** Upper bound of the name score, from how much of both names the close keys cover. */
  bound: number;
}

/** The names worth scoring against one customer's name, and how to compare their tokens. */
export interface CandidateSearch {
  candidates: Candidate[];
  /** Token similarity for scoring the candidates, remembering what the search and earlier calls computed. */
  similarity(a: string, b: string): number;
}

/** Finds the names worth scoring against a customer's name. */
export interface CandidateIndex {
  readonly names: readonly IndexedName[];
  /** Every name with a blocking key close to a key of `tokens`. */
  search(tokens: string[]): CandidateSearch;
}

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

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Where one key occurs, as parallel lists: the name, how much of it the key weighs, whether it joins two tokens. */
interface Postings {
  positions: number[];
  weights: number[];
  joined: boolean[];
}

/** Index keys close enough to a query key to pair with it, with their similarity to it. */
interface CloseKeys {
  ids: Int32Array;
  similarities: Float64Array;
}

/** What a search learns about each name it reaches, per query token. */
interface Reach {
  /** Names reached, in order; a name's slot is its place here. */
  positions: number[];
  /** At slot × tokens + token: the most the token's pairing could add to the covered weight of the name. */
  nameCover: number[];
  /** At slot × tokens + token: the strength of the token's best pairing with the name (0: none). */
  strength: number[];
}

/**
 * Builds the blocking index over `names`: every key maps to the names that
 * have it, and keys are found by phonetic code (Metaphone) or by shared
 * character bigrams. Screening then compares a customer's name only with the
 * names behind keys close to one of its keys, and skips those which, from the
 * share of both names the close keys cover, cannot reach the score asked for.
 *
 * Searches run one at a time (they are synchronous) and share scratch arrays,
 * each setting back what it changed.
 */
export function createCandidateIndex(names: IndexedName[]): CandidateIndex {
  const keyIds = new Map<string, number>();
  const keys: string[] = [];
  const postings: Postings[] = [];
  names.forEach((indexed, position) => {
    for (const { key, covers } of blockingKeys(indexed.tokens)) {
      let id = keyIds.get(key);
      if (id === undefined) {
        id = keys.length;
        keyIds.set(key, id);
        keys.push(key);
        postings.push({ positions: [], weights: [], joined: [] });
      }
      const posting = postings[id] as Postings;
      posting.positions.push(position);
      posting.weights.push(sum(covers.map((c) => tokenWeight(indexed.tokens[c] as string))));
      posting.joined.push(covers.length > 1);
    }
  });
  const nameWeights = names.map((indexed) => sum(indexed.tokens.map(tokenWeight)));
  const hasInitial = names.map((indexed) => indexed.tokens.some((token) => token.length === 1));

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
  const slotOf = new Int32Array(names.length).fill(-1);
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

  /** Records in `reach` what pairing `covers` (query tokens) with key `id` could add to each name having it. */
  function reachThrough(reach: Reach, count: number, query: BlockingKey, id: number, similarity: number): void {
    const key = keys[id] as string;
    const strength = matchStrength(query.key, key, similarity);
    const queryJoined = query.covers.length > 1;
    const plainAllowed = mayPair({ text: query.key, weight: 1, joined: queryJoined }, { text: key, weight: 1, joined: false });
    const joinedAllowed = mayPair({ text: query.key, weight: 1, joined: true }, { text: key, weight: 1, joined: true });
    const { positions, weights, joined } = postings[id] as Postings;
    for (let p = 0; p < positions.length; p++) {
      if (!(joined[p] ? joinedAllowed : plainAllowed)) continue;
      const position = positions[p] as number;
      let slot = slotOf[position] as number;
      if (slot < 0) {
        slot = reach.positions.length;
        slotOf[position] = slot;
        reach.positions.push(position);
        for (let c = 0; c < count; c++) reach.nameCover.push(0), reach.strength.push(0);
      }
      const cover = strength * (weights[p] as number);
      for (const c of query.covers) {
        const at = slot * count + c;
        if (cover > (reach.nameCover[at] as number)) reach.nameCover[at] = cover;
        if (strength > (reach.strength[at] as number)) reach.strength[at] = strength;
      }
    }
  }

  /**
   * The most a reached name could score: the share of both names that the
   * pairings found could cover (an initial of the customer's may pair with any
   * token), softened as the name score is. A listed name with initials is
   * always scored, as its initials are never keys.
   */
  function boundOf(reach: Reach, slot: number, tokens: string[], weights: number[]): number {
    const position = reach.positions[slot] as number;
    if (hasInitial[position]) return 1;
    const nameWeight = nameWeights[position] as number;
    let coveredQuery = 0;
    let coveredName = 0;
    tokens.forEach((token, c) => {
      const at = slot * tokens.length + c;
      const initial = token.length === 1;
      coveredQuery += (weights[c] as number) * (initial ? 1 : (reach.strength[at] as number));
      coveredName += initial ? 1 : (reach.nameCover[at] as number);
    });
    const share = (coveredQuery + Math.min(nameWeight, coveredName)) / (sum(weights) + nameWeight);
    return Math.pow(Math.min(1, share), COVERAGE_EXPONENT);
  }

  return {
    names,
    search(tokens) {
      const phonetic = phoneticWith(new Map());
      const known = new Map<string, number>();
      const pairKey = (a: string, b: string): string => (a < b ? `${a} ${b}` : `${b} ${a}`);
      const reach: Reach = { positions: [], nameCover: [], strength: [] };
      for (const query of blockingKeys(tokens)) {
        const close = closeKeys(query.key);
        close.ids.forEach((id, i) => {
          const similarity = close.similarities[i] as number;
          known.set(pairKey(query.key, keys[id] as string), similarity);
          reachThrough(reach, tokens.length, query, id, similarity);
        });
      }
      const weights = tokens.map(tokenWeight);
      const candidates = reach.positions.map((position, slot) => ({ position, bound: boundOf(reach, slot, tokens, weights) }));
      for (const position of reach.positions) slotOf[position] = -1;
      return {
        candidates,
        similarity(a, b) {
          const pair = pairKey(a, b);
          let similarity = known.get(pair);
          if (similarity === undefined) {
            similarity = tokenSimilarity(a, b, phonetic);
            known.set(pair, similarity);
          }
          return similarity;
        },
      };
    },
  };
}
