import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadOfacSdnDirectory, parseOfacSdn, type SanctionsEntry } from '../../src/screening';
import { parseDateOfBirth, parseRemarks } from '../../src/screening/ofac-remarks';
import { countryCode, countryOfPlace } from '../../src/screening/countries';

const SAMPLE = path.join(__dirname, '../../data/sanctions/sample');
const UPDATE = path.join(__dirname, '../../data/sanctions/sample-update');

/** A file in OFAC's layout: CR LF line ends and the \x1a end marker. */
function ofacFile(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\x1a`;
}

const VOLKOV_ROW =
  '90001,"VOLKOV, Dmitriy Aleksandrovich","individual","RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 12 Mar 1968; POB Moscow, Russia; nationality Russia; Gender Male."';

function entry(entries: SanctionsEntry[], uid: string): SanctionsEntry {
  const found = entries.find((e) => e.uid === uid);
  if (!found) throw new Error(`no entry ${uid}`);
  return found;
}

describe('parseOfacSdn', () => {
  it('reads an individual: reading-order name, listed name, DOB, countries and programme', () => {
    const list = parseOfacSdn({ sdn: ofacFile([VOLKOV_ROW]) });
    expect(list.entries).toEqual([
      {
        uid: '90001',
        type: 'INDIVIDUAL',
        name: 'Dmitriy Aleksandrovich VOLKOV',
        listedName: 'VOLKOV, Dmitriy Aleksandrovich',
        aliases: [],
        datesOfBirth: [{ from: '1968-03-12', to: '1968-03-12' }],
        countries: ['RU'],
        programs: ['RUSSIA-EO14024'],
      },
    ]);
    expect(list.source).toBe('OFAC SDN');
  });

  it('keeps commas inside quoted fields, and reads -0- with or without its space as empty', () => {
    const sdn = ofacFile([
      '1,"PEARL SHIPPING CO., LTD.",-0- ,"DPRK3",-0-,-0- ,-0-,-0- ,-0- ,-0- ,-0- ,"Known as ""PEARL""; Registration Number 42 (Korea, North)."',
      '2,"SEA STAR","vessel","IRAN] [SDGT",-0- ,"9LX4821","Crude Oil Tanker","84,000","45,120","Panama",-0- ,-0- ',
    ]);
    const [company, vessel] = parseOfacSdn({ sdn }).entries;
    expect(company?.name).toBe('PEARL SHIPPING CO., LTD.');
    expect(company?.type).toBe('ENTITY');
    expect(vessel?.type).toBe('VESSEL');
    expect(vessel?.programs).toEqual(['IRAN', 'SDGT']);
    expect(vessel?.countries).toEqual([]);
  });

  it('reads aliases, in reading order for individuals, with weak ones flagged and doubled quotes undone', () => {
    const alt = ofacFile([
      '90001,1,"aka","VOLKOV, Dmitri",-0- ',
      '90001,2,"fka","VOLKOV, Dmitry Alexandrovich",-0- ',
      '90001,3,"aka","DIMA","weak"',
      '90001,4,"nka","VOLKOV-ORLOV, Dmitriy",-0-',
      '90001,5,"aka","DMITRIY ""THE WOLF""",-0- ',
    ]);
    const [volkov] = parseOfacSdn({ sdn: ofacFile([VOLKOV_ROW]), alt }).entries;
    expect(volkov?.aliases).toEqual([
      { name: 'Dmitri VOLKOV', weak: false },
      { name: 'Dmitry Alexandrovich VOLKOV', weak: false },
      { name: 'DIMA', weak: true },
      { name: 'Dmitriy VOLKOV-ORLOV', weak: false },
      { name: 'DMITRIY "THE WOLF"', weak: false },
    ]);
  });

  it('adds the countries of addresses, once each', () => {
    const add = ofacFile([
      '90001,1,-0- ,"Moscow","Russia",-0- ',
      '90001,2,"Arch. Makariou III 12","Limassol","Cyprus",-0- ',
      '90001,3,-0- ,-0- ,-0- ,-0- ',
    ]);
    const [volkov] = parseOfacSdn({ sdn: ofacFile([VOLKOV_ROW]), add }).entries;
    expect(volkov?.countries).toEqual(['RU', 'CY']);
  });

  it('gives a version that is the same for the same bytes and changes with any file', () => {
    const files = { sdn: ofacFile([VOLKOV_ROW]), alt: ofacFile(['90001,1,"aka","VOLKOV, Dmitri",-0- ']) };
    const version = parseOfacSdn(files).version;
    expect(version).toMatch(/^[0-9a-f]{64}$/);
    expect(parseOfacSdn({ ...files }).version).toBe(version);
    expect(parseOfacSdn({ ...files, alt: ofacFile(['90001,1,"aka","VOLKOV, Dmitry",-0- ']) }).version).not.toBe(version);
    expect(parseOfacSdn({ sdn: files.sdn }).version).not.toBe(version);
    expect(parseOfacSdn({ sdn: VOLKOV_ROW }).version).not.toBe(parseOfacSdn({ sdn: files.sdn }).version);
  });

  it('names the file and line of a row with the wrong number of fields', () => {
    const sdn = ofacFile([VOLKOV_ROW, '90002,"KARIMI, Reza","individual","IRAN",-0- ,-0- ']);
    expect(() => parseOfacSdn({ sdn })).toThrow('SDN.CSV line 2: expected 12 fields, found 6');
    const alt = ofacFile(['90001,1,"aka","VOLKOV, Dmitri"']);
    expect(() => parseOfacSdn({ sdn: VOLKOV_ROW, alt })).toThrow('ALT.CSV line 1: expected 5 fields, found 4');
  });

  it('names the file and line of a non-numeric ent_num', () => {
    const sdn = ofacFile([VOLKOV_ROW, VOLKOV_ROW.replace('90001', '9000X')]);
    expect(() => parseOfacSdn({ sdn })).toThrow('SDN.CSV line 2: ent_num must be a number, found "9000X"');
    const add = ofacFile(['90001,1,-0- ,"Moscow","Russia",-0- ', 'abc,2,-0- ,"Moscow","Russia",-0- ']);
    expect(() => parseOfacSdn({ sdn: VOLKOV_ROW, add })).toThrow('ADD.CSV line 2: ent_num must be a number');
  });

  it('refuses repeated entities, unknown types, unclosed quotes and aliases of unlisted entities', () => {
    expect(() => parseOfacSdn({ sdn: ofacFile([VOLKOV_ROW, VOLKOV_ROW]) })).toThrow('SDN.CSV line 2: ent_num 90001 appears twice');
    expect(() => parseOfacSdn({ sdn: VOLKOV_ROW.replace('"individual"', '"person"') })).toThrow('SDN.CSV line 1: unknown SDN_Type "person"');
    expect(() => parseOfacSdn({ sdn: `${VOLKOV_ROW}\r\n90002,"KARIMI, Reza` })).toThrow(/^SDN\.CSV line \d+: /);
    expect(() => parseOfacSdn({ sdn: VOLKOV_ROW, alt: '777,1,"aka","SOMEONE",-0- ' })).toThrow('ALT.CSV line 1: ent_num 777 is not in SDN.CSV');
  });

  it('reads bytes that are not UTF-8 as Latin-1 (with Windows-1252 in 0x80–0x9F), and UTF-8 as UTF-8', () => {
    const row = '1,"JIM\xc9NEZ, Ra\xfal","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"nationality Panam\xe1."';
    const windows1252 = '2,"\x8aKODA, Du\x9aan","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ';
    const [jimenez, skoda] = parseOfacSdn({ sdn: Buffer.from(`${row}\r\n${windows1252}`, 'latin1') }).entries;
    expect(jimenez?.name).toBe('Raúl JIMÉNEZ');
    expect(jimenez?.countries).toEqual(['PA']);
    expect(skoda?.name).toBe('Dušan ŠKODA');
    const utf8 = parseOfacSdn({ sdn: Buffer.from(row, 'utf8') }).entries[0];
    expect(utf8?.listedName).toBe('JIMÉNEZ, Raúl');
    // The same text in two encodings is two different files.
    expect(parseOfacSdn({ sdn: Buffer.from(row, 'latin1') }).version).not.toBe(parseOfacSdn({ sdn: Buffer.from(row, 'utf8') }).version);
  });

  it('reads a file with LF line ends, blank lines and no end marker the same way', () => {
    const crlf = parseOfacSdn({ sdn: ofacFile([VOLKOV_ROW]) }).entries;
    const lf = parseOfacSdn({ sdn: `\n${VOLKOV_ROW}\n\n` }).entries;
    expect(lf).toEqual(crlf);
  });
});

describe('DOB and other remarks', () => {
  it.each([
    ['12 Mar 1968', '1968-03-12', '1968-03-12'],
    ['1 March 1968', '1968-03-01', '1968-03-01'],
    ['Jan 1970', '1970-01-01', '1970-01-31'],
    ['Feb 2000', '2000-02-01', '2000-02-29'],
    ['1972', '1972-01-01', '1972-12-31'],
    ['circa 1960', '1959-01-01', '1961-12-31'],
    ['circa 12 Mar 1968', '1967-03-12', '1969-03-12'],
    ['1955 to 1958', '1955-01-01', '1958-12-31'],
    ['Mar 1960 to 15 Apr 1961', '1960-03-01', '1961-04-15'],
  ])('reads "DOB %s" as %s..%s', (text, from, to) => {
    expect(parseDateOfBirth(text)).toEqual({ from, to });
  });

  it.each(['31 Feb 1970', '1970s', 'Smarch 1970', '1960 to 1950', 'unknown'])('skips "DOB %s", which is no date', (text) => {
    expect(parseDateOfBirth(text)).toBeUndefined();
  });

  it('reads every DOB and country fact, alternatives included, and ignores the rest', () => {
    const facts = parseRemarks(
      'DOB 1972; alt. DOB 1973; POB Pyongyang, Korea, North; nationality Syria; alt. citizen Burma; Passport 123 (Iran); Gender Male; citizen Atlantis.',
    );
    expect(facts.datesOfBirth).toEqual([
      { from: '1972-01-01', to: '1972-12-31' },
      { from: '1973-01-01', to: '1973-12-31' },
    ]);
    expect(facts.countries).toEqual(['KP', 'SY', 'MM']);
  });

  it('maps OFAC country spellings to ISO codes', () => {
    expect(countryCode('Russia')).toBe('RU');
    expect(countryCode('Iran')).toBe('IR');
    expect(countryCode('Korea, North')).toBe('KP');
    expect(countryCode('Congo, Democratic Republic of the')).toBe('CD');
    expect(countryCode('United Kingdom')).toBe('GB');
    expect(countryCode('Nowhere')).toBeUndefined();
    expect(countryOfPlace('Atlanta, Georgia, United States')).toBe('US');
    expect(countryOfPlace('Tbilisi, Georgia')).toBe('GE');
  });
});

describe('loadOfacSdnDirectory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ofac-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the sample list: individuals, entities, a vessel, aliases and the end marker', async () => {
    const list = await loadOfacSdnDirectory(SAMPLE);
    expect(list.source).toBe(path.resolve(SAMPLE));
    expect(list.entries.filter((e) => e.type === 'INDIVIDUAL')).toHaveLength(22);
    expect(list.entries.filter((e) => e.type === 'ENTITY')).toHaveLength(3);
    expect(list.entries.filter((e) => e.type === 'VESSEL')).toHaveLength(1);
    const volkov = entry(list.entries, '90001');
    expect(volkov.aliases).toContainEqual({ name: 'Dmitri VOLKOV', weak: false });
    expect(volkov.datesOfBirth).toEqual([{ from: '1968-03-12', to: '1968-03-12' }]);
    expect(volkov.countries).toEqual(['RU']);
    expect(entry(list.entries, '90002').aliases).toContainEqual({ name: 'ABU HAMZA', weak: true });
    expect(entry(list.entries, '90002').datesOfBirth).toEqual([{ from: '1959-01-01', to: '1961-12-31' }]);
    expect(entry(list.entries, '90012').countries).toEqual(['RU', 'CY']);
  });

  it('gives the update its own version', async () => {
    const [first, update] = await Promise.all([loadOfacSdnDirectory(SAMPLE), loadOfacSdnDirectory(UPDATE)]);
    expect(update.version).not.toBe(first.version);
    expect(update.entries).toHaveLength(first.entries.length + 2);
    expect(entry(update.entries, '90023').name).toBe('Edmund James HARTLEY');
  });

  it('finds the files whatever the case of their names', async () => {
    await writeFile(path.join(dir, 'sdn.csv'), ofacFile([VOLKOV_ROW]));
    await writeFile(path.join(dir, 'Alt.Csv'), ofacFile(['90001,1,"aka","VOLKOV, Dmitri",-0- ']));
    const list = await loadOfacSdnDirectory(dir);
    expect(list.entries[0]?.aliases).toEqual([{ name: 'Dmitri VOLKOV', weak: false }]);
  });

  it('says which file is missing', async () => {
    await writeFile(path.join(dir, 'ALT.CSV'), '');
    await expect(loadOfacSdnDirectory(dir)).rejects.toThrow(`No SDN.CSV file in ${dir}`);
  });

  it('names the directory, file and line of a parse error', async () => {
    await writeFile(path.join(dir, 'SDN.CSV'), ofacFile([VOLKOV_ROW, '90002,"SHORT"']));
    await expect(loadOfacSdnDirectory(dir)).rejects.toThrow(`${dir}: SDN.CSV line 2: expected 12 fields, found 2`);
  });
});
