import { v7 } from 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID string (any version, either case): ids from clients are checked with it before they reach a `uuid` column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A UUIDv7 (RFC 9562, from the `uuid` package): a millisecond timestamp then
 * random bits, so ids sort by creation time and index well.
 */
export function uuidv7(): string {
  return v7();
}
