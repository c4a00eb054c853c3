import { parse, type InfoRecord } from 'csv-parse/sync';

/** One row of an OFAC CSV file with the line it ends on, for error messages. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** Bytes or text of one OFAC file. */
export type FileContent = string | Buffer;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Windows-1252 characters at bytes 0x80–0x9F, where Latin-1 has control codes
 * (the five bytes Windows-1252 leaves undefined stay as they are). OFAC's files
 * are Latin-1 with the odd Windows-1252 character, such as Š or a curly quote.
 */
const WINDOWS_1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f'
  + '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Latin-1 text of bytes, reading 0x80–0x9F as Windows-1252 does. Written out
 * rather than left to TextDecoder, whose `latin1` label gives Windows-1252 or
 * plain Latin-1 depending on the Node version.
 */
function decodeLatin1(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** Text of a file: a string as given; bytes as UTF-8 when they are valid UTF-8, otherwise as Latin-1. */
export function decodeFile(content: FileContent): string {
  if (typeof content === 'string') return content;
  try {
    return UTF8.decode(content);
  } catch {
    return decodeLatin1(content);
  }
}

/** The bytes a hash is taken over: a string's UTF-8 encoding, or the bytes as given. */
export function fileBytes(content: FileContent): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/** True for the null value OFAC writes as `-0-` (the files usually add a trailing space, removed by trimming). */
function isNull(field: string): boolean {
  return field === '-0-';
}

/**
 * Rows of an OFAC CSV file: no header, fields double-quoted where they hold
 * text, `-0-` for an empty field (returned as ''), blank lines and the
 * end-of-file control character (\x1a) ignored.
 *
 * Throws an Error naming the file and line when the CSV cannot be read or a
 * row does not have `columns` fields.
 */
export function readOfacCsv(content: FileContent, file: string, columns: number): CsvRow[] {
  const text = decodeFile(content).replace(/[\s\x1a]+$/, '');
  let records: { record: string[]; info: InfoRecord }[];
  try {
    // With `info: true` each record comes with its position; csv-parse's types do not model that option.
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new Error(`${file} line ${line ?? '?'}: ${(error as Error).message}`, { cause: error });
  }
  return records.map(({ record, info }) => {
    if (record.length !== columns) {
      throw new Error(`${file} line ${info.lines}: expected ${columns} fields, found ${record.length}`);
    }
    return { line: info.lines, fields: record.map((field) => (isNull(field) ? '' : field)) };
  });
}

/** The entity number in the first column, which must be a whole number; leading zeros are dropped. */
export function readEntityNumber(row: CsvRow, file: string): string {
  const value = row.fields[0] ?? '';
  if (!/^\d+$/.test(value)) throw new Error(`${file} line ${row.line}: ent_num must be a number, found "${value}"`);
  return value.replace(/^0+(?=\d)/, '');
}
