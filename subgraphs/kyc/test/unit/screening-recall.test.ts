import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createScreener, parseOfacSdn, type SanctionsList, type Screener } from '../../src/screening';
import { createCandidateIndex } from '../../src/screening/candidate-index';
import { compareTokens, normaliseName, tokenSimilarity } from '../../src/screening/name-matching';
import { phoneticCode } from '../../src/screening/phonetic';
import { customerVariant, seededRandom, syntheticEntries } from './screening-synthetic-list';

// Blocking must find what comparing the subject with every listed name finds.
// The list is the sample plus 5,000 invented individuals heavy in common names.

const SAMPLE = path.join(__dirname, '../../data/sanctions/sample');
const THRESHOLD = 0.85;
const WEAK_ALIAS_FACTOR = 0.9;

const sample = parseOfacSdn({
  sdn: readFileSync(path.join(SAMPLE, 'SDN.CSV')),
  alt: readFileSync(path.join(SAMPLE, 'ALT.CSV')),
  add: readFileSync(path.join(SAMPLE, 'ADD.CSV')),
});
const synthetic = syntheticEntries(5000, 20_260_101);
const list: SanctionsList = { ...sample, entries: [...sample.entries, ...synthetic] };
const individuals = list.entries.filter((entry) => entry.type === 'INDIVIDUAL');
const listedNames = individuals.flatMap((entry) =>
  [{ name: entry.name, weak: false }, ...entry.aliases].map((alias) => ({ uid: entry.uid, tokens: normaliseName(alias.name), weak: alias.weak })),
);

let screener: Screener;
beforeAll(() => {
  screener = createScreener(list, { threshold: THRESHOLD });
});

const codes = new Map<string, string>();
function cachedPhoneticCode(token: string): string {
  let code = codes.get(token);
  if (code === undefined) {
    code = phoneticCode(token);
    codes.set(token, code);
  }
  return code;
}

/** The token similarity of nameSimilarity, with phonetic codes remembered to keep the full scans quick. */
function similarity(a: string, b: string): number {
  return tokenSimilarity(a, b, cachedPhoneticCode);
}

/** Every individual whose best name scores at least the threshold, found by comparing with every listed name. */
function fullScan(name: string): Map<string, number> {
  const tokens = normaliseName(name);
  const best = new Map<string, number>();
  for (const listed of listedNames) {
    const score = compareTokens(tokens, listed.tokens, similarity) * (listed.weak ? WEAK_ALIAS_FACTOR : 1);
    if (score > (best.get(listed.uid) ?? 0)) best.set(listed.uid, score);
  }
  const found = new Map<string, number>();
  for (const [uid, score] of best) {
    const rounded = Math.round(score * 10_000) / 10_000;
    if (rounded >= THRESHOLD) found.set(uid, rounded);
  }
  return found;
}

function screened(name: string): Map<string, number> {
  return new Map(screener.screen({ name }).matches.map((match) => [match.uid, match.score]));
}

/** Asserts the screener returns exactly what a full scan finds (when that fits in ten matches). */
function expectSameAsFullScan(name: string): Map<string, number> {
  const expected = fullScan(name);
  const actual = screened(name);
  if (expected.size <= 10) expect({ name, matches: actual }).toEqual({ name, matches: expected });
  else expect(actual.size).toBe(10);
  return actual;
}

describe('blocking keeps recall', () => {
  it.each([
    ['Dmitri Volkov', '90001'],
    ['Aleksandrovich Volkov Dmitry', '90001'],
    ['Дмитрий Волков', '90001'],
    ['Dmitrii Volkoff', '90001'],
    ['Yousef Abdulrahman al-Farsi', '90002'],
    ['Farsi Yusuf Abdul-Rahman', '90002'],
    ['Muhammad Hasan Zahiri', '90018'],
    ['Kim Songchol', '90005'],
    ['Елена Соколова', '90012'],
    ['Khaled Ibrahim Nasser', '90021'],
    ['Abdallah bin Salih', '90014'],
    ['Ramzan Musaev', '90016'],
  ])('finds "%s" (%s) among 5,000 other entries, as a full scan does', (name, uid) => {
    expect(expectSameAsFullScan(name).has(uid)).toBe(true);
  });

  it('finds misspelt, reordered and shortened names of invented entries as a full scan does', () => {
    const random = seededRandom(7);
    let found = 0;
    const trials = 40;
    for (let i = 0; i < trials; i++) {
      const entry = synthetic[Math.floor(random() * synthetic.length)]!;
      const name = customerVariant(entry.name, random);
      if (expectSameAsFullScan(name).has(entry.uid)) found++;
    }
    // Some variants are too damaged to match anyone; most must still find their entry.
    expect(found).toBeGreaterThanOrEqual(trials * 0.8);
  });

  it('clears names that are on no list, as a full scan does', () => {
    for (const name of ['Sarah Johnson', 'Gwendolyn Featherstonehaugh', 'Priya Raghunathan', 'Olufemi Adebayo-Smith']) {
      expect(expectSameAsFullScan(name).size).toBe(0);
    }
  });
});

describe('what the screener remembers between customers', () => {
  it('does not change any result: the same customers screened in the opposite order give the same results', () => {
    const random = seededRandom(23);
    const names = Array.from({ length: 30 }, () => customerVariant(synthetic[Math.floor(random() * synthetic.length)]!.name, random));
    const forwards = createScreener(list, { threshold: THRESHOLD });
    const backwards = createScreener(list, { threshold: THRESHOLD });
    const first = names.map((name) => forwards.screen({ name }));
    const second = [...names].reverse().map((name) => backwards.screen({ name })).reverse();
    expect(second).toEqual(first);
    expect(first.some((result) => result.outcome === 'POSSIBLE_MATCH')).toBe(true);
  });
});

describe('blocking keeps the work small', () => {
  it('scores only a small share of the listed names for a typical customer', () => {
    const names = individuals.flatMap((entry, position) =>
      [{ name: entry.name, weak: false }, ...entry.aliases].map((alias) => ({ entry: position, name: alias.name, tokens: normaliseName(alias.name), weak: alias.weak })),
    );
    const index = createCandidateIndex(names);
    const random = seededRandom(11);
    let scored = 0;
    const trials = 50;
    for (let i = 0; i < trials; i++) {
      const entry = synthetic[Math.floor(random() * synthetic.length)]!;
      const search = index.search(normaliseName(customerVariant(entry.name, random)));
      scored += search.candidates.filter((candidate) => candidate.bound >= 0.8).length;
    }
    expect(scored / trials).toBeLessThan(names.length * 0.05);
  });
});
