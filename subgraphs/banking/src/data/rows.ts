import type { AccountRecord } from '../domain/account';
import type { CurrencyCode } from '../domain/currency';
import type { PostingRecord, TransferRecord } from '../domain/transfer';

/** Columns selected for an account, in the shape `toAccount` reads. */
export const ACCOUNT_COLUMNS = `id, number, owner_id, kind, type, currency, name, status, overdraft_limit,
  debits_posted, credits_posted, debits_pending, credits_pending, opened_at, closed_at`;

// pg returns int8 as strings so no precision is lost; they become bigint here.
type Row = Record<string, unknown>;

/** An accounts row as an AccountRecord. */
export function toAccount(row: Row): AccountRecord {
  return {
    id: row.id as string,
    number: row.number as string,
    ownerId: (row.owner_id as string | null) ?? null,
    kind: row.kind as AccountRecord['kind'],
    type: row.type as AccountRecord['type'],
    currency: row.currency as CurrencyCode,
    name: row.name as string,
    status: row.status as AccountRecord['status'],
    overdraftLimit: BigInt(row.overdraft_limit as string),
    debitsPosted: BigInt(row.debits_posted as string),
    creditsPosted: BigInt(row.credits_posted as string),
    debitsPending: BigInt(row.debits_pending as string),
    creditsPending: BigInt(row.credits_pending as string),
    openedAt: new Date(row.opened_at as string),
    closedAt: row.closed_at ? new Date(row.closed_at as string) : null,
  };
}

/** A postings row as a PostingRecord. */
export function toPosting(row: Row): PostingRecord {
  return {
    id: String(row.id),
    accountId: row.account_id as string,
    direction: row.direction as PostingRecord['direction'],
    amount: BigInt(row.amount as string),
    currency: row.currency as CurrencyCode,
    pending: row.pending as boolean,
    balanceAfter: row.balance_after === null ? null : BigInt(row.balance_after as string),
    createdAt: new Date(row.created_at as string),
  };
}

/** A transfers row (and its postings) as a TransferRecord. */
export function toTransfer(row: Row, postings: PostingRecord[]): TransferRecord {
  return {
    id: row.id as string,
    code: row.code as string,
    description: row.description as string,
    metadata: (row.metadata as Record<string, unknown>) ?? {},
    causedBy: (row.caused_by as string | null) ?? null,
    phase: row.phase as TransferRecord['phase'],
    status: row.status as TransferRecord['status'],
    pendingId: (row.pending_id as string | null) ?? null,
    timeoutAt: row.timeout_at ? new Date(row.timeout_at as string) : null,
    createdAt: new Date(row.created_at as string),
    seq: row.seq === null || row.seq === undefined ? null : BigInt(row.seq as string),
    hash: (row.hash as string | null) ?? null,
    postings,
  };
}
