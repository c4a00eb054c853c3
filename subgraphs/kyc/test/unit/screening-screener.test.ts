import path from 'node:path';
import { createScreener, loadOfacSdnDirectory, type SanctionsList, type Screener } from '../../src/screening';

const SAMPLE = path.join(__dirname, '../../data/sanctions/sample');
const UPDATE = path.join(__dirname, '../../data/sanctions/sample-update');

let list: SanctionsList;
let screener: Screener;

beforeAll(async () => {
  list = await loadOfacSdnDirectory(SAMPLE);
  screener = createScreener(list);
});

function uids(result: { matches: { uid: string }[] }): string[] {
  return result.matches.map((match) => match.uid);
}

describe('createScreener', () => {
  it('screens against the individuals of the list only, under the list version', () => {
    expect(screener.entryCount).toBe(22);
    expect(screener.listVersion).toBe(list.version);
    const result = screener.screen({ name: 'Pacific Pearl Shipping' });
    expect(result.outcome).toBe('CLEAR');
    expect(result.listVersion).toBe(list.version);
  });

  it('uses 0.85 unless told otherwise, and refuses a threshold outside (0, 1]', () => {
    expect(screener.screen({ name: 'Sarah Johnson' }).threshold).toBe(0.85);
    expect(createScreener(list, { threshold: 0.95 }).screen({ name: 'Sarah Johnson' }).threshold).toBe(0.95);
    expect(() => createScreener(list, { threshold: 0 })).toThrow(RangeError);
    expect(() => createScreener(list, { threshold: 1.2 })).toThrow(RangeError);
    expect(() => createScreener(list, { threshold: Number.NaN })).toThrow(RangeError);
  });
});

describe('screen', () => {
  it('reports a misspelt, reordered name as a possible match with the listed uid', () => {
    const result = screener.screen({ name: 'Aleksandrovich Volkov Dmitry' });
    expect(result.outcome).toBe('POSSIBLE_MATCH');
    expect(result.matches[0]).toMatchObject({
      uid: '90001',
      listedName: 'VOLKOV, Dmitriy Aleksandrovich',
      programs: ['RUSSIA-EO14024'],
      reasons: ['NAME'],
    });
    expect(result.matches[0]?.score).toBeGreaterThanOrEqual(0.9);
  });

  it('says which name or alias matched', () => {
    expect(screener.screen({ name: 'Dmitri Volkov' }).matches[0]).toMatchObject({ uid: '90001', matchedName: 'Dmitri VOLKOV', score: 1 });
    expect(screener.screen({ name: 'Elena Sokolova' }).matches[0]).toMatchObject({ uid: '90012', matchedName: 'Elena Viktorovna SOKOLOVA' });
  });

  it('clears a name that is on no list', () => {
    const result = screener.screen({ name: 'Sarah Johnson', dateOfBirth: '1968-03-12', nationality: 'GB' });
    expect(result).toEqual({ outcome: 'CLEAR', listVersion: list.version, threshold: 0.85, matches: [] });
  });

  it('clears a shared first name alone, even with the listed date of birth and nationality', () => {
    const result = screener.screen({ name: 'Dmitriy Petrov', dateOfBirth: '1968-03-12', nationality: 'RU' });
    expect(result.outcome).toBe('CLEAR');
  });

  it('matches names written in Cyrillic', () => {
    expect(uids(screener.screen({ name: 'Дмитрий Волков' }))).toEqual(['90001']);
    expect(uids(screener.screen({ name: 'Олександр Петренко' }))).toEqual(['90003']);
  });

  it('matches Arabic names however the article and joined names are written', () => {
    for (const name of ['Yusuf Abdul Rahman al-Farsi', 'Yousef Abdulrahman Alfarsi', 'Sheikh Yusuf Al Farsi', 'Abdulrahman Alfarsi Yusuf']) {
      expect(uids(screener.screen({ name }))).toContain('90002');
    }
    expect(uids(screener.screen({ name: 'Abdallah Hamid ibn Salih' }))).toContain('90014');
  });

  it('raises confidence when the date of birth falls in a listed range', () => {
    const strict = createScreener(list, { threshold: 0.9 });
    const without = strict.screen({ name: 'Alexander Volkov' });
    const withDate = strict.screen({ name: 'Alexander Volkov', dateOfBirth: '1968-03-12' });
    expect(without.outcome).toBe('CLEAR');
    expect(withDate.outcome).toBe('POSSIBLE_MATCH');
    expect(withDate.matches[0]).toMatchObject({ uid: '90001', reasons: ['NAME', 'DATE_OF_BIRTH'] });
  });

  it('reads circa, year and range dates of birth as ranges', () => {
    // AL-FARSI: circa 1960, so 1959–1961.
    expect(screener.screen({ name: 'Yusuf Farsi', dateOfBirth: '1961-11-30' }).matches[0]?.reasons).toContain('DATE_OF_BIRTH');
    // PETRENKO: 1955 to 1958.
    expect(screener.screen({ name: 'Oleksandr Petrenko', dateOfBirth: '1956-06-01' }).matches[0]?.reasons).toContain('DATE_OF_BIRTH');
    // KARIMI: Jan 1970; a date within two years is no contradiction.
    const near = screener.screen({ name: 'Reza Karimi', dateOfBirth: '1971-06-01' }).matches[0];
    expect(near?.reasons).toEqual(['NAME']);
  });

  it('lowers a match whose date of birth is clearly different', () => {
    const agreeing = screener.screen({ name: 'Hector Morales', dateOfBirth: '1971-08-22' }).matches[0];
    const silent = screener.screen({ name: 'Hector Morales' }).matches[0];
    const lenient = createScreener(list, { threshold: 0.5 });
    const contradicting = lenient.screen({ name: 'Hector Morales', dateOfBirth: '1990-01-01' }).matches[0];
    expect(agreeing?.score).toBeGreaterThan(silent?.score ?? 1);
    expect(contradicting?.reasons).toEqual(['NAME', 'DATE_OF_BIRTH_MISMATCH']);
    expect(contradicting?.score).toBeLessThan(silent?.score ?? 0);
    expect(screener.screen({ name: 'Hector Morales', dateOfBirth: '1990-01-01' }).outcome).toBe('CLEAR');
  });

  it('keeps a very strong name match at the threshold however far the date of birth is', () => {
    const result = screener.screen({ name: 'Dmitriy Aleksandrovich Volkov', dateOfBirth: '1990-01-01' });
    expect(result.outcome).toBe('POSSIBLE_MATCH');
    expect(result.matches[0]).toMatchObject({ uid: '90001', score: 0.85, reasons: ['NAME', 'DATE_OF_BIRTH_MISMATCH'] });
    const strict = createScreener(list, { threshold: 0.97 }).screen({ name: 'Dmitriy Aleksandrovich Volkov', dateOfBirth: '1990-01-01' });
    expect(strict.matches[0]?.score).toBe(0.97);
  });

  it('notes a shared nationality and lets it add a little', () => {
    const plain = screener.screen({ name: 'Hector Morales' }).matches[0];
    const mexican = screener.screen({ name: 'Hector Morales', nationality: 'mx' }).matches[0];
    expect(mexican?.reasons).toEqual(['NAME', 'COUNTRY']);
    expect(mexican?.score).toBeGreaterThan(plain?.score ?? 1);
    expect(screener.screen({ name: 'Hector Morales', nationality: 'GB' }).matches[0]?.reasons).toEqual(['NAME']);
  });

  it('flags and discounts a match on a weak alias', () => {
    const result = screener.screen({ name: 'Abu Hamza' });
    expect(result.matches[0]).toMatchObject({ uid: '90002', matchedName: 'ABU HAMZA', score: 0.9, reasons: ['NAME', 'WEAK_ALIAS'] });
  });

  it('orders matches best first and returns at most ten', () => {
    const loose = createScreener(list, { threshold: 0.01 });
    const result = loose.screen({ name: 'Mohammad Ali Hassan Abdullah Khalid Ibrahim Yusuf Nasser Zahiri Farsi Saleh Haddad' });
    expect(result.matches.length).toBeLessThanOrEqual(10);
    expect(result.matches.length).toBeGreaterThan(3);
    const scores = result.matches.map((match) => match.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('refuses a subject without a name, or with a malformed date of birth or nationality', () => {
    expect(() => screener.screen({ name: '  ' })).toThrow('needs a name');
    expect(() => screener.screen({ name: 'Reza Karimi', dateOfBirth: '12/03/1968' })).toThrow('YYYY-MM-DD');
    expect(() => screener.screen({ name: 'Reza Karimi', dateOfBirth: '1968-02-30' })).toThrow('YYYY-MM-DD');
    expect(() => screener.screen({ name: 'Reza Karimi', nationality: 'IRN' })).toThrow('alpha-2');
  });
});

describe('a new list version', () => {
  it('catches a customer who was clear against the previous version', async () => {
    const update = await loadOfacSdnDirectory(UPDATE);
    const customer = { name: 'Edmund Hartley', dateOfBirth: '1979-07-04', nationality: 'GB' };
    const before = screener.screen(customer);
    const after = createScreener(update).screen(customer);
    expect(before.outcome).toBe('CLEAR');
    expect(after.outcome).toBe('POSSIBLE_MATCH');
    expect(after.listVersion).toBe(update.version);
    expect(after.listVersion).not.toBe(before.listVersion);
    expect(after.matches[0]).toMatchObject({
      uid: '90023',
      listedName: 'HARTLEY, Edmund James',
      programs: ['CYBER2'],
      reasons: ['NAME', 'DATE_OF_BIRTH', 'COUNTRY'],
    });
  });
});
