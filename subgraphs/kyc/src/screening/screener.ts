import { createCandidateIndex, type IndexedName } from './candidate-index';
import { compareTokens, normaliseName } from './name-matching';
import type { SanctionsEntry, SanctionsList } from './ofac-sdn';

/** The customer being screened. */
export interface ScreeningSubject {
  name: string;
  /** YYYY-MM-DD. */
  dateOfBirth?: string;
  /** ISO 3166-1 alpha-2. */
  nationality?: string;
}

/** Why a match was reported. */
export type ScreeningReason = 'NAME' | 'DATE_OF_BIRTH' | 'DATE_OF_BIRTH_MISMATCH' | 'COUNTRY' | 'WEAK_ALIAS';

/** One listed person the subject may be. */
export interface ScreeningMatch {
  uid: string;
  listedName: string;
  /** The name or alias that matched, in reading order. */
  matchedName: string;
  /** 0..1, rounded to four decimals. */
  score: number;
  programs: string[];
  reasons: ScreeningReason[];
}

/** The outcome of screening one subject against one version of the list. */
export interface ScreeningResult {
  outcome: 'CLEAR' | 'POSSIBLE_MATCH';
  listVersion: string;
  threshold: number;
  /** Matches at or above the threshold, best first, at most 10. */
  matches: ScreeningMatch[];
}

/** Screens subjects against one list, indexed once. */
export interface Screener {
  readonly listVersion: string;
  /** Number of listed individuals the screener compares against. */
  readonly entryCount: number;
  /** Errors: throws an Error when the subject's name is empty, its dateOfBirth is not a YYYY-MM-DD date or its nationality not two letters. */
  screen(subject: ScreeningSubject): ScreeningResult;
}

/** Options of `createScreener`. */
export interface ScreenerOptions {
  /** Score from which a listed person is reported as a possible match, in (0, 1]; default 0.85. */
  threshold?: number;
}

const DEFAULT_THRESHOLD = 0.85;
const MAX_MATCHES = 10;
/** Weak aliases are broad by OFAC's own account, so a match on one counts for less. */
const WEAK_ALIAS_FACTOR = 0.9;
/** How far outside every listed date of birth the subject's must be to contradict it (two years, in days). */
const CONTRADICTION_DAYS = 731;
const DOB_MISMATCH_PENALTY = 0.15;
/** A name score from which a contradicting date of birth may not take a match below the threshold. */
const STRONG_NAME_SCORE = 0.95;
const COUNTRY_BONUS = 0.03;
/**
 * Name score from which date of birth and nationality may add to it. A shared
 * first name alone (about 0.78) is not lifted: among the many listed people
 * called Mohammed or Ivan, a date of birth is bound to coincide now and then.
 */
const MIN_NAME_SCORE_FOR_BONUS = 0.8;
const DAY_MS = 86_400_000;

/** A listed individual prepared for screening. */
interface ListedIndividual {
  entry: SanctionsEntry;
  /** Dates of birth as inclusive day numbers. */
  birthRanges: { from: number; to: number }[];
}

function dayNumber(isoDate: string): number {
  return Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) / DAY_MS;
}

/** A subject's date of birth as a day number; throws unless it is a real YYYY-MM-DD date. */
function subjectBirthDay(dateOfBirth: string): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) ? dayNumber(dateOfBirth) : NaN;
  if (Number.isNaN(day) || new Date(day * DAY_MS).toISOString().slice(0, 10) !== dateOfBirth) {
    throw new Error(`dateOfBirth must be a YYYY-MM-DD date, not "${dateOfBirth}"`);
  }
  return day;
}

const MAX_BIRTH_DATE_BONUS = 0.06;

/** Confidence added by a date of birth inside a listed range: more for an exact date than for a span of years. */
function birthDateBonus(widthDays: number): number {
  if (widthDays === 0) return MAX_BIRTH_DATE_BONUS;
  if (widthDays <= 31) return 0.05;
  if (widthDays <= 366) return 0.04;
  return 0.02;
}

/** What the subject's date of birth says about a listed person: a bonus, a contradiction, or nothing. */
function birthDateEvidence(day: number | undefined, ranges: ListedIndividual['birthRanges']): { bonus: number; contradicts: boolean } {
  if (day === undefined || ranges.length === 0) return { bonus: 0, contradicts: false };
  let bonus = 0;
  let nearest = Infinity;
  for (const range of ranges) {
    if (day >= range.from && day <= range.to) bonus = Math.max(bonus, birthDateBonus(range.to - range.from));
    nearest = Math.min(nearest, Math.max(range.from - day, day - range.to, 0));
  }
  return { bonus, contradicts: nearest > CONTRADICTION_DAYS };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

/** The match for one listed person given the best name score, or nothing when it falls below the threshold. */
function scoreMatch(
  individual: ListedIndividual,
  best: { name: IndexedName; score: number },
  subject: { birthDay?: number; nationality?: string },
  threshold: number,
): ScreeningMatch | undefined {
  const reasons: ScreeningReason[] = ['NAME'];
  const nameScore = best.score;
  let score = nameScore;
  const birth = birthDateEvidence(subject.birthDay, individual.birthRanges);
  const mayAdd = nameScore >= MIN_NAME_SCORE_FOR_BONUS;
  if (birth.bonus > 0) {
    if (mayAdd) score += birth.bonus;
    reasons.push('DATE_OF_BIRTH');
  } else if (birth.contradicts) {
    score -= DOB_MISMATCH_PENALTY;
    // A near-certain name still goes to a person when the date disagrees: listed dates are often approximate or
    // one of several, and a customer's record can be wrong.
    if (nameScore >= STRONG_NAME_SCORE) score = Math.max(score, Math.min(nameScore, threshold));
    reasons.push('DATE_OF_BIRTH_MISMATCH');
  }
  if (subject.nationality && individual.entry.countries.includes(subject.nationality)) {
    if (mayAdd) score += COUNTRY_BONUS;
    reasons.push('COUNTRY');
  }
  if (best.name.weak) reasons.push('WEAK_ALIAS');
  const rounded = round(Math.min(1, Math.max(0, score)));
  if (rounded < threshold) return undefined;
  const { entry } = individual;
  return { uid: entry.uid, listedName: entry.listedName, matchedName: best.name.name, score: rounded, programs: [...entry.programs], reasons };
}

/**
 * A screener over the individuals of a sanctions list. Customers are natural
 * persons, so entities, vessels and aircraft are left out: their names match
 * people's only by accident, and companies are screened in their own right.
 *
 * Every name and alias is indexed once here; `screen` compares the subject's
 * name only with listed names that share a close token, then weighs date of
 * birth and nationality. A possible match goes to a person, never to an
 * automatic decision, so doubtful cases err towards being reported.
 *
 * Errors: throws a RangeError when the threshold is not in (0, 1].
 */
export function createScreener(list: SanctionsList, options: ScreenerOptions = {}): Screener {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], not ${threshold}`);

  const individuals: ListedIndividual[] = [];
  const names: IndexedName[] = [];
  for (const entry of list.entries) {
    if (entry.type !== 'INDIVIDUAL') continue;
    const position = individuals.length;
    individuals.push({ entry, birthRanges: entry.datesOfBirth.map((d) => ({ from: dayNumber(d.from), to: dayNumber(d.to) })) });
    const seen = new Set<string>();
    for (const { name, weak } of [{ name: entry.name, weak: false }, ...entry.aliases]) {
      const tokens = normaliseName(name);
      const key = `${tokens.join(' ')}|${weak}`;
      if (tokens.length === 0 || seen.has(key)) continue;
      seen.add(key);
      names.push({ entry: position, name, tokens, weak });
    }
  }
  const index = createCandidateIndex(names);
  // Below this a name cannot reach the threshold, whatever the date of birth and nationality add.
  const minNameScore = Math.min(threshold, Math.max(MIN_NAME_SCORE_FOR_BONUS, threshold - MAX_BIRTH_DATE_BONUS - COUNTRY_BONUS));

  function screen(subject: ScreeningSubject): ScreeningResult {
    if (!subject.name || !subject.name.trim()) throw new Error('The subject to screen needs a name');
    const birthDay = subject.dateOfBirth === undefined ? undefined : subjectBirthDay(subject.dateOfBirth);
    const nationality = subject.nationality?.toUpperCase();
    if (nationality !== undefined && !/^[A-Z]{2}$/.test(nationality)) {
      throw new Error(`nationality must be an ISO 3166-1 alpha-2 code, not "${subject.nationality}"`);
    }

    const tokens = normaliseName(subject.name);
    const search = index.search(tokens);
    const bestByEntry = new Map<number, { name: IndexedName; score: number }>();
    for (const { position, bound } of search.candidates) {
      const indexed = index.names[position] as IndexedName;
      const factor = indexed.weak ? WEAK_ALIAS_FACTOR : 1;
      if (bound * factor < minNameScore) continue;
      const score = compareTokens(tokens, indexed.tokens, search.similarity) * factor;
      const best = bestByEntry.get(indexed.entry);
      if (!best || score > best.score || (score === best.score && best.name.weak && !indexed.weak)) {
        bestByEntry.set(indexed.entry, { name: indexed, score });
      }
    }

    const matches: ScreeningMatch[] = [];
    for (const [position, best] of bestByEntry) {
      const match = scoreMatch(individuals[position] as ListedIndividual, best, { birthDay, nationality }, threshold);
      if (match) matches.push(match);
    }
    matches.sort((a, b) => b.score - a.score || a.uid.localeCompare(b.uid, 'en', { numeric: true }));
    return {
      outcome: matches.length > 0 ? 'POSSIBLE_MATCH' : 'CLEAR',
      listVersion: list.version,
      threshold,
      matches: matches.slice(0, MAX_MATCHES),
    };
  }

  return { listVersion: list.version, entryCount: individuals.length, screen };
}
