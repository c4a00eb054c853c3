import { errors } from '../errors';
import { isUuid } from '../ids';

/** A place in a list ordered by a time and then an id: the row to continue after. */
export interface KeysetCursor {
  at: Date;
  id: string;
}

/** The opaque cursor of a row at `at` with id `id`. */
export function encodeKeysetCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

/** Reads a cursor made by {@link encodeKeysetCursor}. Errors: BAD_USER_INPUT with `field` (default `after`). */
export function decodeKeysetCursor(cursor: string, field = 'after'): KeysetCursor {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(time ?? '');
  if (Number.isNaN(at.getTime()) || !isUuid(id ?? '')) throw errors.badInput('The cursor is not valid.', { field });
  return { at, id };
}
