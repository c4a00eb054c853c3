import { decodeKeysetCursor, encodeKeysetCursor, errors } from '@meridian/platform';
import type { PaymentRecord } from '../domain/payment';

/** A page of payments and whether more follow. */
export interface PaymentPage {
  items: PaymentRecord[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Where a page starts: after this payment (its creation time and id). */
export interface PaymentCursor {
  createdAt: Date;
  id: string;
}

/** The opaque cursor of a payment in a list. */
export function encodeCursor(p: Pick<PaymentRecord, 'createdAt' | 'id'>): string {
  return encodeKeysetCursor(p.createdAt, p.id);
}

/** Reads a cursor. Errors: BAD_USER_INPUT. */
export function decodeCursor(cursor: string | null | undefined): PaymentCursor | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const { at, id } = decodeKeysetCursor(cursor);
  return { createdAt: at, id };
}

/** Checks a page size. Errors: BAD_USER_INPUT. */
export function pageSize(first: number | null | undefined): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw errors.badInput('first must be between 1 and 100.', { field: 'first' });
  return n;
}

/** Cuts the one extra row a query read into the page and the "more follow" flag. */
export function toPage(rows: PaymentRecord[], first: number, after: PaymentCursor | undefined): PaymentPage {
  return { items: rows.slice(0, first), hasNextPage: rows.length > first, hasPreviousPage: after !== undefined };
}
