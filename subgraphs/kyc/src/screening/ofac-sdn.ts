import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { countryCode } from './countries';
import { fileBytes, readEntityNumber, readOfacCsv, type CsvRow, type FileContent } from './ofac-csv';
import { parseRemarks, type DateRange } from './ofac-remarks';

/** One listed party of a sanctions list. */
export interface SanctionsEntry {
  /** OFAC's entity number (ent_num). */
  uid: string;
  type: 'INDIVIDUAL' | 'ENTITY' | 'VESSEL' | 'AIRCRAFT';
  /** The name in reading order: `Dmitriy Aleksandrovich VOLKOV` for OFAC's `VOLKOV, Dmitriy Aleksandrovich`. */
  name: string;
  /** The name exactly as listed. */
  listedName: string;
  /** Alternative names (aka, fka, nka) in reading order; weak ones are too broad to identify anyone alone. */
  aliases: { name: string; weak: boolean }[];
  /** ISO date ranges: an exact date has from = to; a month, year, `circa` or range widens it. */
  datesOfBirth: DateRange[];
  /** ISO alpha-2 codes from nationality, citizenship, place of birth and addresses. */
  countries: string[];
  programs: string[];
}

/** A parsed list and what it was parsed from. */
export interface SanctionsList {
  source: string;
  /** SHA-256 (hex) of the input files' bytes; any change to any file changes it. */
  version: string;
  entries: SanctionsEntry[];
}

/** The three files of OFAC's SDN list in CSV form; only SDN.CSV is required. */
export interface OfacSdnFiles {
  sdn: FileContent;
  alt?: FileContent;
  add?: FileContent;
}

const SDN_COLUMNS = 12;
const ALT_COLUMNS = 5;
const ADD_COLUMNS = 6;

const TYPES: Readonly<Record<string, SanctionsEntry['type']>> = {
  '': 'ENTITY',
  individual: 'INDIVIDUAL',
  vessel: 'VESSEL',
  aircraft: 'AIRCRAFT',
};

/**
 * A name in reading order. OFAC writes individuals `LAST, First Middle`; the
 * surname keeps the capitals it is listed with, which shows which part it is.
 * Entities, vessels and names without a comma are returned as listed.
 */
export function readingOrder(name: string, type: SanctionsEntry['type']): string {
  const comma = name.indexOf(',');
  if (type !== 'INDIVIDUAL' || comma < 0) return name;
  const surname = name.slice(0, comma).trim();
  const given = name.slice(comma + 1).trim();
  return given ? `${given} ${surname}` : surname;
}

/** Programmes of the Program column, which OFAC joins as `SDGT] [IFSR`. */
function splitPrograms(field: string): string[] {
  return field
    .split(/\]\s*\[/)
    .map((program) => program.replace(/[[\]]/g, '').trim())
    .filter((program) => program.length > 0);
}

/**
 * SHA-256 over every file in a fixed order, each preceded by its name and
 * length, so moving bytes from one file to another also changes the version.
 */
function versionOf(files: OfacSdnFiles): string {
  const hash = createHash('sha256');
  for (const name of ['sdn', 'alt', 'add'] as const) {
    const content = files[name];
    if (content === undefined) {
      hash.update(`${name}:absent\n`);
      continue;
    }
    const bytes = fileBytes(content);
    hash.update(`${name}:${bytes.length}\n`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

function entryFromRow(row: CsvRow): SanctionsEntry {
  const [entNum = '', listedName = '', sdnType = '', program = ''] = row.fields;
  const type = TYPES[sdnType.toLowerCase()];
  if (!type) throw new Error(`SDN.CSV line ${row.line}: unknown SDN_Type "${sdnType}"`);
  if (!listedName) throw new Error(`SDN.CSV line ${row.line}: SDN_Name is empty`);
  const facts = parseRemarks(row.fields[11] ?? '');
  return {
    uid: entNum,
    type,
    name: readingOrder(listedName, type),
    listedName,
    aliases: [],
    datesOfBirth: facts.datesOfBirth,
    countries: facts.countries,
    programs: splitPrograms(program),
  };
}

/** The entry an ALT.CSV or ADD.CSV row belongs to; a row naming an unknown entity means the files do not belong together. */
function ownerOf(row: CsvRow, file: string, byUid: Map<string, SanctionsEntry>): SanctionsEntry {
  const uid = readEntityNumber(row, file);
  const entry = byUid.get(uid);
  if (!entry) throw new Error(`${file} line ${row.line}: ent_num ${uid} is not in SDN.CSV`);
  return entry;
}

function addAliases(content: FileContent, byUid: Map<string, SanctionsEntry>): void {
  for (const row of readOfacCsv(content, 'ALT.CSV', ALT_COLUMNS)) {
    const entry = ownerOf(row, 'ALT.CSV', byUid);
    const [, , , altName = '', altRemarks = ''] = row.fields;
    if (!altName) continue;
    const name = readingOrder(altName, entry.type);
    const weak = /\bweak\b/i.test(altRemarks);
    if (!entry.aliases.some((alias) => alias.name === name && alias.weak === weak)) entry.aliases.push({ name, weak });
  }
}

function addAddressCountries(content: FileContent, byUid: Map<string, SanctionsEntry>): void {
  for (const row of readOfacCsv(content, 'ADD.CSV', ADD_COLUMNS)) {
    const entry = ownerOf(row, 'ADD.CSV', byUid);
    const code = countryCode(row.fields[4] ?? '');
    if (code && !entry.countries.includes(code)) entry.countries.push(code);
  }
}

/**
 * Parses OFAC's SDN list from the contents of SDN.CSV and, when given,
 * ALT.CSV and ADD.CSV. Bytes that are not valid UTF-8 are read as Latin-1.
 *
 * Throws an Error naming the file and line for a row with the wrong number of
 * fields, a non-numeric or repeated ent_num, an unknown SDN_Type, or an alias
 * or address of an entity SDN.CSV does not list.
 */
export function parseOfacSdn(files: OfacSdnFiles, source = 'OFAC SDN'): SanctionsList {
  const entries: SanctionsEntry[] = [];
  const byUid = new Map<string, SanctionsEntry>();
  for (const row of readOfacCsv(files.sdn, 'SDN.CSV', SDN_COLUMNS)) {
    const uid = readEntityNumber(row, 'SDN.CSV');
    if (byUid.has(uid)) throw new Error(`SDN.CSV line ${row.line}: ent_num ${uid} appears twice`);
    const entry = entryFromRow({ ...row, fields: [uid, ...row.fields.slice(1)] });
    byUid.set(uid, entry);
    entries.push(entry);
  }
  if (files.alt !== undefined) addAliases(files.alt, byUid);
  if (files.add !== undefined) addAddressCountries(files.add, byUid);
  return { source, version: versionOf(files), entries };
}

/** The file in `names` whose name is `wanted` in any case; more than one is an error, as the choice would be a guess. */
function findFile(dir: string, names: string[], wanted: string): string | undefined {
  const found = names.filter((name) => name.toLowerCase() === wanted);
  if (found.length > 1) throw new Error(`${dir} holds more than one ${wanted.toUpperCase()}: ${found.join(', ')}`);
  return found[0] && path.join(dir, found[0]);
}

/**
 * Loads OFAC's SDN list from a directory holding SDN.CSV and, optionally,
 * ALT.CSV and ADD.CSV (names in any case). The source is the directory's
 * absolute path.
 *
 * Throws an Error naming the directory when SDN.CSV is missing or a file
 * cannot be parsed (the parse error, with its file and line, is the cause).
 */
export async function loadOfacSdnDirectory(dir: string): Promise<SanctionsList> {
  const absolute = path.resolve(dir);
  const names = await readdir(absolute);
  const sdnPath = findFile(absolute, names, 'sdn.csv');
  if (!sdnPath) throw new Error(`No SDN.CSV file in ${absolute}: the OFAC SDN list needs SDN.CSV (ALT.CSV and ADD.CSV are optional)`);
  const altPath = findFile(absolute, names, 'alt.csv');
  const addPath = findFile(absolute, names, 'add.csv');
  const [sdn, alt, add] = await Promise.all([
    readFile(sdnPath),
    altPath ? readFile(altPath) : undefined,
    addPath ? readFile(addPath) : undefined,
  ]);
  try {
    return parseOfacSdn({ sdn, alt, add }, absolute);
  } catch (error) {
    throw new Error(`Cannot load the OFAC SDN list in ${absolute}: ${(error as Error).message}`, { cause: error });
  }
}
