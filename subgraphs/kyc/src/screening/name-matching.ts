import anyAscii from 'any-ascii';
import { jaroWinkler } from './jaro-winkler';
import { phoneticCode } from './phonetic';

/**
 * Titles and honorifics that say nothing about who someone is. Military ranks
 * and words such as `major` or `imam` stay, as they are also surnames.
 */
const HONORIFICS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame',
  'haji', 'hajji', 'hadji', 'alhaji', 'sheikh', 'shaikh', 'shaykh', 'sheik',
  'mullah', 'mulla', 'maulana', 'mawlana', 'jr', 'sr', 'ii', 'iii',
]);

/**
 * The Arabic article in the forms it takes when hyphenated to the next word
 * (`al-`, `el-`, `ul-` and the assimilated `ar-`, `as-`, `ash-`, `ad-`, …).
 * Only a hyphenated form is dropped: `as` or `ad` standing alone may be a name.
 */
const HYPHENATED_ARTICLES = new Set(['al', 'el', 'ul', 'ud', 'ad', 'adh', 'ar', 'as', 'ash', 'at', 'ath', 'az']);

/** Forms of the article that are dropped when they stand alone, as no name is just these. */
const STANDALONE_ARTICLES = new Set(['al', 'el', 'ul', 'ud']);

/** Connecting words that count half when weighing how much of a name matched. */
const PARTICLES = new Set([
  'bin', 'bint', 'binti', 'abu', 'umm', 'de', 'del', 'della', 'da', 'das', 'do', 'dos', 'du',
  'la', 'le', 'van', 'von', 'der', 'den', 'ter', 'ten', 'y', 'e',
]);

/** Tokens of one hyphenated word, without the article where it is attached by a hyphen (`al-zawahiri` → `zawahiri`). */
function splitHyphenated(word: string): string[] {
  const parts = word.split('-').filter((part) => part.length > 0);
  return parts.filter((part, index) => index === parts.length - 1 || !HYPHENATED_ARTICLES.has(part));
}

/**
 * A name as comparable lower-case ASCII tokens.
 *
 * - Any script is transliterated with any-ascii (`Дмитрий` → `dmitriy`, `José` → `jose`).
 * - Apostrophes and backticks join (`O'Brien` → `obrien`); other punctuation separates.
 * - The Arabic article is dropped wherever it is hyphenated (`al-Farsi`, `Zia-ul-Haq`,
 *   `ar-Rahman`) or stands alone (`al Farsi`), so every way of writing it gives the
 *   same tokens. Joined forms (`Alfarsi`) are left to `nameSimilarity`, which
 *   compares them with and without the article.
 * - `ibn` is written `bin`.
 * - Honorifics (`Mr`, `Dr`, `Haji`, `Sheikh`, `Jr`, …) are dropped unless nothing else is left.
 */
export function normaliseName(name: string): string[] {
  const ascii = anyAscii(name).toLowerCase().replace(/['`]/g, '');
  const words = ascii.split(/[^a-z0-9-]+/).filter((word) => word.length > 0);
  const tokens = words.flatMap(splitHyphenated).map((token) => (token === 'ibn' ? 'bin' : token));
  const meaningful = tokens.filter((token) => !HONORIFICS.has(token) && !STANDALONE_ARTICLES.has(token));
  return meaningful.length > 0 ? meaningful : tokens;
}

/** Similarity of a token given as an initial to a full token: agreeing, but weaker than a spelled-out name. */
const INITIAL_SIMILARITY = 0.85;
/** Factor applied when two tokens only match once a joined article (`alfarsi`) is taken off. */
const ARTICLE_FACTOR = 0.97;
/** Jaro-Winkler two tokens need before sounding the same raises it, so `hussein` and `hasan` (both HSN) stay apart. */
const PHONETIC_MIN_SIMILARITY = 0.75;
/** Shortest remainder after taking off a joined article, so `albert` is never read as `al` + `bert`. */
const MIN_ARTICLE_REMAINDER = 5;

/** A token without a leading joined article (`alfarsi` → `farsi`), or undefined when it has none. */
export function withoutJoinedArticle(token: string): string | undefined {
  if (!/^(al|el)/.test(token) || token.length - 2 < MIN_ARTICLE_REMAINDER) return undefined;
  return token.slice(2);
}

/**
 * Similarity of two name tokens, 0..1: Jaro-Winkler, raised halfway to 1 when
 * two close spellings also sound the same (Metaphone); an initial agreeing
 * with a name; a joined article ignored at a small cost.
 */
export function tokenSimilarity(a: string, b: string, phonetic: (token: string) => string = phoneticCode): number {
  if (a === b) return 1;
  if (a.length === 1 || b.length === 1) {
    const [initial, full] = a.length === 1 ? [a, b] : [b, a];
    return full.length > 1 && full.startsWith(initial) ? INITIAL_SIMILARITY : 0;
  }
  let similarity = jaroWinkler(a, b);
  if (similarity >= PHONETIC_MIN_SIMILARITY && a.length >= 3 && b.length >= 3) {
    const code = phonetic(a);
    if (code.length >= 2 && code === phonetic(b)) similarity = (similarity + 1) / 2;
  }
  const bareA = withoutJoinedArticle(a);
  const bareB = withoutJoinedArticle(b);
  if (bareA !== undefined) similarity = Math.max(similarity, ARTICLE_FACTOR * jaroWinkler(bareA, b));
  if (bareB !== undefined) similarity = Math.max(similarity, ARTICLE_FACTOR * jaroWinkler(a, bareB));
  return similarity;
}

/** Token similarity at and below which two tokens are not taken to match at all. */
const NO_MATCH = 0.7;
/** Token similarity from which two tokens fully count as matched. */
const FULL_MATCH = 0.9;
/**
 * How strongly unmatched tokens pull a score down: score = quality × coverage^0.35,
 * so two of three names matched exactly (coverage 0.8) still scores 0.925,
 * while one of two (coverage 0.5) scores 0.785 and one of three 0.72.
 */
export const COVERAGE_EXPONENT = 0.35;

/** A token being aligned, with its weight in the coverage of its name. */
export interface WeightedToken {
  text: string;
  weight: number;
  /** Two neighbouring tokens written as one. */
  joined: boolean;
}

/**
 * Shortest length ratio at which a joined token may pair with another. Jaro-Winkler
 * scores a token against a longer one that starts with it highly (`garcia` against
 * `garcialopez` is 0.91), which would let joining swallow an unmatched name.
 */
const JOINED_MIN_LENGTH_RATIO = 0.75;

/** False when one of the tokens is joined and their lengths are too far apart for the pair to be the same name. */
export function mayPair(x: WeightedToken, y: WeightedToken): boolean {
  if (!x.joined && !y.joined) return true;
  const [shorter, longer] = x.text.length < y.text.length ? [x.text.length, y.text.length] : [y.text.length, x.text.length];
  return shorter / longer >= JOINED_MIN_LENGTH_RATIO;
}

/** Weight of a token in the coverage of a name: initials and particles count half. */
export function tokenWeight(token: string): number {
  return token.length === 1 || PARTICLES.has(token) ? 0.5 : 1;
}

/** How far a pair of tokens counts as matched, 0..1, rising from NO_MATCH to FULL_MATCH. */
export function matchStrength(a: string, b: string, similarity: number): number {
  if (a.length === 1 || b.length === 1) return similarity > 0 ? 1 : 0;
  if (similarity <= NO_MATCH) return 0;
  return similarity >= FULL_MATCH ? 1 : (similarity - NO_MATCH) / (FULL_MATCH - NO_MATCH);
}

function totalWeight(tokens: WeightedToken[]): number {
  return tokens.reduce((sum, token) => sum + token.weight, 0);
}

/**
 * Score of two token lists as they stand: tokens are paired greedily, best
 * similarity first, whatever their order; the score is the weighted mean
 * similarity of the pairs times the share of both names the pairs cover,
 * softened by COVERAGE_EXPONENT.
 */
function alignedScore(a: WeightedToken[], b: WeightedToken[], similarity: (x: string, y: string) => number): number {
  const pairs: { i: number; j: number; similarity: number; strength: number }[] = [];
  a.forEach((x, i) => {
    b.forEach((y, j) => {
      if (!mayPair(x, y)) return;
      const s = similarity(x.text, y.text);
      const strength = matchStrength(x.text, y.text, s);
      if (strength > 0) pairs.push({ i, j, similarity: s, strength });
    });
  });
  pairs.sort((p, q) => q.similarity - p.similarity || q.strength - p.strength || p.i - q.i || p.j - q.j);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  let covered = 0;
  let weighted = 0;
  for (const pair of pairs) {
    if (usedA.has(pair.i) || usedB.has(pair.j)) continue;
    usedA.add(pair.i);
    usedB.add(pair.j);
    const weight = pair.strength * ((a[pair.i]?.weight ?? 0) + (b[pair.j]?.weight ?? 0));
    covered += weight;
    weighted += weight * pair.similarity;
  }
  if (covered === 0) return 0;
  return (weighted / covered) * Math.pow(covered / (totalWeight(a) + totalWeight(b)), COVERAGE_EXPONENT);
}

function weighted(tokens: string[]): WeightedToken[] {
  return tokens.map((text) => ({ text, weight: tokenWeight(text), joined: false }));
}

/**
 * Each pair of neighbouring tokens written as one (`abdul rahman` →
 * `abdulrahman`), at the position of the first. A joined token weighs what
 * its parts did, so joining never makes the unmatched part of a name count
 * for less.
 */
function joins(tokens: WeightedToken[]): { at: number; token: WeightedToken }[] {
  const found: { at: number; token: WeightedToken }[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const first = tokens[i] as WeightedToken;
    const second = tokens[i + 1] as WeightedToken;
    found.push({ at: i, token: { text: first.text + second.text, weight: first.weight + second.weight, joined: true } });
  }
  return found;
}

/** True when some token of `others` could pair with `token`. */
function hasPartner(token: WeightedToken, others: WeightedToken[], similarity: (x: string, y: string) => number): boolean {
  return others.some((other) => mayPair(token, other) && matchStrength(token.text, other.text, similarity(token.text, other.text)) > 0);
}

/**
 * The tokens as given, then with each pair of neighbours joined where the
 * joined token could pair with a token of the other name (as given or joined).
 * A joined token that pairs with nothing cannot raise the score, so the
 * variant is not worth aligning.
 */
function usefulVariants(
  tokens: WeightedToken[],
  own: { at: number; token: WeightedToken }[],
  other: WeightedToken[],
  similarity: (x: string, y: string) => number,
): WeightedToken[][] {
  const variants = [tokens];
  for (const { at, token } of own) {
    if (hasPartner(token, other, similarity)) variants.push([...tokens.slice(0, at), token, ...tokens.slice(at + 2)]);
  }
  return variants;
}

/**
 * Similarity of two normalised names, 0..1, whatever the order of their
 * tokens; the best over each name as written and with two neighbouring tokens
 * joined, so `abdul rahman` and `abdulrahman` agree. `similarity` compares two
 * tokens; the screener passes one that looks up what its search computed.
 */
export function compareTokens(
  a: string[],
  b: string[],
  similarity: (x: string, y: string) => number = tokenSimilarity,
): number {
  if (a.length === 0 || b.length === 0) return 0;
  const tokensA = weighted(a);
  const tokensB = weighted(b);
  const joinsA = joins(tokensA);
  const joinsB = joins(tokensB);
  const everyA = [...tokensA, ...joinsA.map((j) => j.token)];
  const everyB = [...tokensB, ...joinsB.map((j) => j.token)];
  let best = 0;
  for (const variantA of usefulVariants(tokensA, joinsA, everyB, similarity)) {
    for (const variantB of usefulVariants(tokensB, joinsB, everyA, similarity)) {
      best = Math.max(best, alignedScore(variantA, variantB, similarity));
      if (best === 1) return 1;
    }
  }
  return best;
}

/**
 * Similarity of two personal names, 0..1, independent of word order, script,
 * spelling variants, initials, honorifics and joined or split tokens. A name
 * missing one of three parts still scores about 0.92, one sharing only a first
 * name about 0.78; unrelated names score 0.
 */
export function nameSimilarity(a: string, b: string): number {
  return compareTokens(normaliseName(a), normaliseName(b));
}
