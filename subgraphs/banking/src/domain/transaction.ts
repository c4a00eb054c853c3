import { errors } from '@meridian/platform';
import type { CurrencyCode } from './currency';
import type { Direction, TransferStatus } from './transfer';

/** One posting as its account's owner sees it, with its transfer's status, code and description. */
export interface TransactionRecord {
  /** The posting id (a bigint as a string): increases with every posting on an account. */
  id: string;
  transferId: string;
  accountId: string;
  direction: Direction;
  /** Positive minor units. */
  amount: bigint;
  currency: CurrencyCode;
  /** A reservation (hold) rather than money that moved. */
  pending: boolean;
  /** Posted balance after this posting; null for a reservation. */
  balanceAfter: bigint | null;
  status: TransferStatus;
  code: string;
  description: string;
  createdAt: Date;
}

/** A page of one account's transactions, newest first. */
export interface TransactionPageRequest {
  accountId: string;
  /** Items wanted, 1 to {@link MAX_PAGE_SIZE}. */
  first: number;
  /** Only postings with a smaller id (the decoded `after` cursor). */
  beforeId: string | null;
  /** Only postings at or after this instant. */
  from: Date | null;
  /** Only postings before this instant. */
  to: Date | null;
  /** Only transactions whose description or kind contains this text, ignoring case. */
  search: string | null;
}

/** A page of transactions and whether more follow. */
export interface TransactionPage {
  items: TransactionRecord[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 100;

const CURSOR_PREFIX = 'posting:';

/** The opaque cursor of a transaction: base64url of its posting id, so it never moves when new postings arrive. */
export function encodeCursor(postingId: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${postingId}`).toString('base64url');
}

/** The posting id inside a cursor. Errors: BAD_USER_INPUT. */
export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  if (!/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > 9_223_372_036_854_775_807n) {
    throw errors.badInput('after is not a cursor from this list.', { field: 'after' });
  }
  return id;
}

/** The longest text `Account.transactions(search:)` takes. */
export const MAX_SEARCH_LENGTH = 100;

/** `search` as a LIKE pattern that matches it anywhere, its `%`, `_` and `\` taken literally. */
export function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Checks and normalises the arguments of `Account.transactions`.
 * Errors: BAD_USER_INPUT (`first` outside 1 to 100, malformed cursor, `from` after `to`, `search` empty or over 100 characters).
 */
export function pageRequest(
  accountId: string,
  args: { first?: number | null; after?: string | null; from?: Date | null; to?: Date | null; search?: string | null },
): TransactionPageRequest {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw errors.badInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, { field: 'first' });
  }
  const from = args.from ?? null;
  const to = args.to ?? null;
  if (from && to && from.getTime() > to.getTime()) throw errors.badInput('from must not be after to.', { field: 'from' });
  const search = args.search == null ? null : args.search.trim();
  if (search !== null && (search.length === 0 || [...search].length > MAX_SEARCH_LENGTH)) {
    throw errors.badInput(`search must be 1 to ${MAX_SEARCH_LENGTH} characters.`, { field: 'search' });
  }
  return { accountId, first, beforeId: args.after ? decodeCursor(args.after) : null, from, to, search };
}
