import { nameSimilarity, normaliseName } from '../../src/screening';
import { jaroWinkler } from '../../src/screening/jaro-winkler';
import { tokenSimilarity } from '../../src/screening/name-matching';

/** `VOLKOV, Dmitriy Aleksandrovich` in reading order, as the list parser gives it. */
const VOLKOV = 'Dmitriy Aleksandrovich VOLKOV';

describe('normaliseName', () => {
  it('transliterates, lower-cases and strips punctuation and diacritics', () => {
    expect(normaliseName('Дмитрий Волков')).toEqual(['dmitriy', 'volkov']);
    expect(normaliseName('José  MÜLLER-Lüdenscheidt')).toEqual(['jose', 'muller', 'ludenscheidt']);
    expect(normaliseName("Seán O'Brien, Jr.")).toEqual(['sean', 'obrien']);
    expect(normaliseName('Σωκράτης')).toEqual(['sokratis']);
  });

  it('drops honorifics and titles, unless nothing else is left', () => {
    expect(normaliseName('Dr. Mr Haji Sheikh Omar Saleh')).toEqual(['omar', 'saleh']);
    expect(normaliseName('Mrs Aisha Haddad')).toEqual(['aisha', 'haddad']);
    expect(normaliseName('Sheikh')).toEqual(['sheikh']);
  });

  it('drops the Arabic article the same way however it is attached', () => {
    const expected = ['ayman', 'farsi'];
    expect(normaliseName('Ayman al-Farsi')).toEqual(expected);
    expect(normaliseName('Ayman Al Farsi')).toEqual(expected);
    expect(normaliseName('Ayman el-Farsi')).toEqual(expected);
    expect(normaliseName('AL-FARSI, Ayman')).toEqual(['farsi', 'ayman']);
    expect(normaliseName('Zia-ul-Haq')).toEqual(['zia', 'haq']);
    expect(normaliseName('Abd ar-Rahman')).toEqual(['abd', 'rahman']);
  });

  it('keeps words that only look like articles or titles when they stand alone', () => {
    expect(normaliseName('As Ad')).toEqual(['as', 'ad']);
    expect(normaliseName('John Major')).toEqual(['john', 'major']);
    expect(normaliseName('Alan Albert')).toEqual(['alan', 'albert']);
  });

  it('writes ibn as bin', () => {
    expect(normaliseName('Abdullah ibn Salih')).toEqual(['abdullah', 'bin', 'salih']);
  });
});

describe('jaroWinkler', () => {
  it.each([
    ['martha', 'marhta', 0.9611],
    ['dwayne', 'duane', 0.84],
    ['dixon', 'dicksonx', 0.8133],
    ['jellyfish', 'smellyfish', 0.8963],
    ['crate', 'trace', 0.7333],
    ['abc', 'xyz', 0],
  ])('scores %s and %s as published (%d)', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 4);
    expect(jaroWinkler(b, a)).toBeCloseTo(expected, 4);
  });

  it('gives 1 for equal strings and 0 when either is empty', () => {
    expect(jaroWinkler('volkov', 'volkov')).toBe(1);
    expect(jaroWinkler('', 'volkov')).toBe(0);
    expect(jaroWinkler('', '')).toBe(0);
  });

  it('does not depend on what it compared before', () => {
    const words = ['dmitriy', 'volkov', 'sarah', 'johnson', 'aleksandrovich', 'yelena', 'elena', 'sokolova', 'aabba', 'abbab'];
    const first = words.flatMap((a) => words.map((b) => jaroWinkler(a, b)));
    const reversed = [...words].reverse();
    for (const a of reversed) for (const b of reversed) jaroWinkler(a, b);
    expect(words.flatMap((a) => words.map((b) => jaroWinkler(a, b)))).toEqual(first);
    expect(words.flatMap((a) => words.map((b) => jaroWinkler(b, a)))).toEqual(first);
  });
});

describe('nameSimilarity', () => {
  it('scores a misspelt, shortened listed name high', () => {
    expect(nameSimilarity(VOLKOV, 'Dmitri Volkov')).toBeGreaterThanOrEqual(0.9);
  });

  it('does not depend on word order', () => {
    expect(nameSimilarity(VOLKOV, 'Aleksandrovich Volkov Dmitry')).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity('Volkov Dmitri', VOLKOV)).toBeCloseTo(nameSimilarity('Dmitri Volkov', VOLKOV), 10);
  });

  it('matches names written in Cyrillic', () => {
    expect(nameSimilarity(VOLKOV, 'Дмитрий Волков')).toBeGreaterThanOrEqual(0.85);
    expect(nameSimilarity('Elena Viktorovna Sokolova', 'Елена Викторовна Соколова')).toBe(1);
  });

  it('keeps unrelated names low', () => {
    expect(nameSimilarity('Sarah Johnson', 'Dmitriy Volkov')).toBeLessThan(0.6);
    expect(nameSimilarity('Peter Brown', VOLKOV)).toBeLessThan(0.6);
    expect(nameSimilarity('Hussein Ali', 'Hasan Ali')).toBeLessThan(0.85);
  });

  it('scores a near name reasonably high but below an exact one', () => {
    const near = nameSimilarity('Maria Garcia Lopez', 'Mario Garcia');
    expect(near).toBeGreaterThanOrEqual(0.8);
    expect(near).toBeLessThan(nameSimilarity('Maria Garcia Lopez', 'Maria Garcia Lopez'));
    expect(nameSimilarity('Maria Garcia Lopez', 'Maria Garcia Lopez')).toBe(1);
  });

  it('scores two of three names high, but one of two or a surname alone below 0.8', () => {
    expect(nameSimilarity(VOLKOV, 'Dmitriy Volkov')).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity('John Smith', 'John Brown')).toBeLessThan(0.8);
    expect(nameSimilarity(VOLKOV, 'Volkov')).toBeLessThan(0.8);
    expect(nameSimilarity(VOLKOV, 'Dmitriy Petrov')).toBeLessThan(0.8);
  });

  it('matches initials with the names they stand for, and not with others', () => {
    const initials = nameSimilarity(VOLKOV, 'D. A. Volkov');
    expect(initials).toBeGreaterThanOrEqual(0.85);
    expect(initials).toBeLessThan(nameSimilarity(VOLKOV, 'Dmitriy Aleksandrovich Volkov'));
    expect(nameSimilarity(VOLKOV, 'P. Volkov')).toBeLessThan(nameSimilarity(VOLKOV, 'D. Volkov'));
    expect(tokenSimilarity('d', 'dmitriy')).toBeGreaterThan(0);
    expect(tokenSimilarity('p', 'dmitriy')).toBe(0);
  });

  it('matches joined and split tokens', () => {
    expect(nameSimilarity('Yusuf Abdul Rahman', 'Yusuf Abdulrahman')).toBe(1);
    expect(nameSimilarity('Kim Song Chol', 'Kim Songchol')).toBe(1);
    expect(nameSimilarity('Yusuf Abdul Rahman AL-FARSI', 'Yousef Abdulrahman Alfarsi')).toBeGreaterThanOrEqual(0.9);
  });

  it('does not let joining swallow a name that is not there', () => {
    // `garcialopez` starts with `garcia`; joining must not make Lopez count as matched.
    expect(nameSimilarity('Maria Garcia Lopez', 'Maria Garcia')).toBeCloseTo(nameSimilarity('Maria Lopez Garcia', 'Maria Garcia'), 10);
    expect(nameSimilarity('Maria Garcia Lopez', 'Maria Garcia')).toBeLessThan(0.95);
    // Nor make an unmatched given name weigh less next to a matched surname.
    expect(nameSimilarity(VOLKOV, 'Volkov')).toBeLessThan(0.8);
  });

  it('ignores honorifics and the article', () => {
    expect(nameSimilarity('Sheikh Yusuf al-Farsi', 'Yusuf Farsi')).toBe(1);
    expect(nameSimilarity('Mr Edmund Hartley', 'Edmund Hartley')).toBe(1);
    expect(nameSimilarity('Ayman Alfarsi', 'Ayman al-Farsi')).toBeGreaterThanOrEqual(0.95);
  });

  it('treats transliteration variants of the same name as close', () => {
    expect(nameSimilarity('Mohammad Hassan Zahiri', 'Muhammad Hasan Zahiri')).toBeGreaterThanOrEqual(0.95);
    expect(nameSimilarity('Yelena Sokolova', 'Elena Sokolova')).toBeGreaterThanOrEqual(0.9);
    expect(tokenSimilarity('mohammed', 'muhammad')).toBeGreaterThan(0.9);
  });

  it('is symmetric and within 0..1', () => {
    const pairs: [string, string][] = [
      [VOLKOV, 'Dmitri Volkov'],
      ['Maria Garcia Lopez', 'Mario Garcia'],
      ['Yusuf Abdul Rahman', 'Yousef Abdulrahman'],
      ['D Volkov', 'Dmitriy Volkov'],
    ];
    for (const [a, b] of pairs) {
      const score = nameSimilarity(a, b);
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(nameSimilarity(b, a)).toBeCloseTo(score, 10);
    }
  });

  it('scores 0 when a name has nothing to compare', () => {
    expect(nameSimilarity('', 'Dmitri Volkov')).toBe(0);
    expect(nameSimilarity('---', 'Dmitri Volkov')).toBe(0);
  });
});
