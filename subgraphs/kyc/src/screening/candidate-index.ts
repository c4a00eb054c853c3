import { blockingKeys, createCloseKeyFinder, type BlockingKey } from './blocking-keys';
import { COVERAGE_EXPONENT, mayPair, matchStrength, tokenSimilarity, tokenWeight } from './name-matching';

export { blockingKeys, type BlockingKey } from './blocking-keys';

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

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Where one key occurs, as parallel lists: the name, how much of it the key weighs, whether it joins two tokens. */
interface Postings {
  positions: number[];
  weights: number[];
  joined: boolean[];
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

  const { closeKeys, phoneticWith } = createCloseKeyFinder(keys, names);
  const slotOf = new Int32Array(names.length).fill(-1);

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
