import { createHash } from 'node:crypto';
import { canonicalJson, errors, isUuid } from '@meridian/platform';
import type { CurrencyCode } from './currency';
import { MAX_MINOR_UNITS } from './money';
import { FX_CONVERSION_CODE, FX_QUOTE_CAUSE_PREFIX, fxTransferIdFor } from './fx';

/** Which side of an account a posting moves. Every account is credit-normal: balance = credits - debits. */
export type Direction = 'DEBIT' | 'CREDIT';

/** One leg of a transfer. */
export interface PostingInput {
  accountId: string;
  direction: Direction;
  /** Positive minor units. */
  amount: bigint;
  /** Must equal the account's currency. */
  currency: CurrencyCode;
}

/** A request to move money, identified by a client-chosen UUID (its idempotency key). */
export interface TransferInput {
  id: string;
  /** SCREAMING_SNAKE category, e.g. `TRANSFER`, `SALARY`, `CARD_PAYMENT`. */
  code: string;
  description?: string;
  metadata?: Record<string, string | number | boolean | null>;
  /** What caused it, e.g. `payment:<id>`. */
  causedBy?: string;
  postings: PostingInput[];
  /** When set, the transfer only reserves funds (PENDING) until posted, voided or this many seconds pass. */
  pendingTimeoutSeconds?: number;
}

export type TransferPhase = 'SINGLE' | 'PENDING' | 'POST_PENDING' | 'VOID_PENDING';
export type TransferStatus = 'POSTED' | 'PENDING' | 'VOIDED' | 'EXPIRED';

/** A posting as stored. */
export interface PostingRecord extends PostingInput {
  id: string;
  pending: boolean;
  /** The account's posted balance right after this posting; null for pending postings. */
  balanceAfter: bigint | null;
  createdAt: Date;
}

/** A transfer as stored, with its postings and chain position. */
export interface TransferRecord {
  id: string;
  code: string;
  description: string;
  metadata: Record<string, unknown>;
  causedBy: string | null;
  phase: TransferPhase;
  status: TransferStatus;
  pendingId: string | null;
  timeoutAt: Date | null;
  createdAt: Date;
  seq: bigint | null;
  hash: string | null;
  postings: PostingRecord[];
}

const code = /^[A-Z][A-Z0-9_]{1,39}$/;

/** Refuses a transfer id that is not a UUID. Errors: BAD_USER_INPUT. */
export function assertTransferId(id: string, field = 'transferId'): void {
  if (!isUuid(id)) throw errors.badInput(`${field} must be a UUID chosen by the client (it is the idempotency key).`, { field });
}

/**
 * Checks a transfer's shape: ids, code, sizes, positive amounts within 64 bits,
 * two to 64 postings, no account on both sides, and debits equal to credits in
 * every currency. Errors: BAD_USER_INPUT.
 */
export function validateTransferInput(input: TransferInput): void {
  assertTransferId(input.id);
  if (!code.test(input.code)) throw errors.badInput('code must be SCREAMING_SNAKE_CASE, 2 to 40 characters.', { field: 'code' });
  if ((input.description ?? '').length > 500) throw errors.badInput('description is at most 500 characters.', { field: 'description' });
  if (input.causedBy !== undefined && (input.causedBy.length < 1 || input.causedBy.length > 200)) {
    throw errors.badInput('causedBy is 1 to 200 characters.', { field: 'causedBy' });
  }
  if (input.metadata !== undefined) {
    if (typeof input.metadata !== 'object' || input.metadata === null || Array.isArray(input.metadata)) {
      throw errors.badInput('metadata must be an object of strings, numbers and booleans.', { field: 'metadata' });
    }
    if (Buffer.byteLength(JSON.stringify(input.metadata)) > 4096) throw errors.badInput('metadata is at most 4 KiB.', { field: 'metadata' });
  }
  if (input.pendingTimeoutSeconds !== undefined) {
    const t = input.pendingTimeoutSeconds;
    if (!Number.isInteger(t) || t < 1 || t > 7 * 86_400) {
      throw errors.badInput('pendingTimeoutSeconds is a whole number from 1 to 604800 (7 days).', { field: 'pendingTimeoutSeconds' });
    }
  }
  if (input.postings.length < 2 || input.postings.length > 64) {
    throw errors.badInput('A transfer has 2 to 64 postings.', { field: 'postings' });
  }
  const sides = new Map<string, Set<Direction>>();
  const totals = new Map<string, { debits: bigint; credits: bigint }>();
  for (const posting of input.postings) {
    if (!isUuid(posting.accountId)) throw errors.badInput('Every posting needs an account id (UUID).', { field: 'accountId' });
    if (posting.direction !== 'DEBIT' && posting.direction !== 'CREDIT') {
      throw errors.badInput('A posting is a DEBIT or a CREDIT.', { field: 'direction' });
    }
    if (typeof posting.amount !== 'bigint' || posting.amount <= 0n) {
      throw errors.badInput('Every posting amount must be greater than zero.', { field: 'amount' });
    }
    if (posting.amount > MAX_MINOR_UNITS) throw errors.badInput('amount is beyond the 64-bit range.', { field: 'amount' });
    const side = sides.get(posting.accountId) ?? new Set<Direction>();
    side.add(posting.direction);
    sides.set(posting.accountId, side);
    const total = totals.get(posting.currency) ?? { debits: 0n, credits: 0n };
    if (posting.direction === 'DEBIT') total.debits += posting.amount;
    else total.credits += posting.amount;
    totals.set(posting.currency, total);
  }
  for (const [account, side] of sides) {
    if (side.size > 1) throw errors.badInput(`Account ${account} cannot be debited and credited in one transfer.`, { field: 'postings' });
  }
  for (const [currency, total] of totals) {
    if (total.debits !== total.credits) {
      throw errors.badInput(`The postings do not balance in ${currency}: debits ${total.debits}, credits ${total.credits}.`, { field: 'postings' });
    }
    if (total.debits > MAX_MINOR_UNITS) throw errors.badInput(`The ${currency} total is beyond the 64-bit range.`, { field: 'amount' });
  }
  if (totals.size > 1) assertFxShape(input, totals.size);
}

/**
 * Money crosses currencies only by converting an FX quote: a single-phase
 * FX_CONVERSION in exactly two currencies, caused by the quote, whose id is the one
 * derived from the quote (so a quote can back one transfer only). The ledger then
 * checks the amounts against the stored quote. Errors: BAD_USER_INPUT.
 */
function assertFxShape(input: TransferInput, currencies: number): void {
  const quoteId = fxQuoteIdOf(input);
  if (input.code !== FX_CONVERSION_CODE || quoteId === null) {
    throw errors.badInput('Postings in more than one currency need an FX quote: convert it with an FX conversion.', { field: 'postings' });
  }
  if (currencies !== 2) throw errors.badInput('A conversion moves exactly two currencies.', { field: 'postings' });
  if (input.pendingTimeoutSeconds !== undefined) throw errors.badInput('A conversion cannot be pending.', { field: 'pendingTimeoutSeconds' });
  if (input.id !== fxTransferIdFor(quoteId)) {
    throw errors.badInput('A conversion’s transfer id is the one derived from its quote.', { field: 'transferId' });
  }
}

/** The quote id of an FX conversion's `causedBy`, or null. */
export function fxQuoteIdOf(input: Pick<TransferInput, 'causedBy'>): string | null {
  const cause = input.causedBy ?? '';
  if (!cause.startsWith(FX_QUOTE_CAUSE_PREFIX)) return null;
  const id = cause.slice(FX_QUOTE_CAUSE_PREFIX.length);
  return isUuid(id) ? id.toLowerCase() : null;
}

/** True when the postings use more than one currency. */
export function isCrossCurrency(input: Pick<TransferInput, 'postings'>): boolean {
  return new Set(input.postings.map((p) => p.currency)).size > 1;
}

/** SHA-256 of the request's content: the same id with a different fingerprint is IDEMPOTENCY_KEY_REUSED. */
export function fingerprint(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
