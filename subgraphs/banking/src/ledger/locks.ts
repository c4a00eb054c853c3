import type { AccountRecord } from '../domain/account';
import type { PostingRecord } from '../domain/transfer';
import { ACCOUNT_COLUMNS, toAccount, toPosting } from '../data/rows';
import type { Sql } from '../data/sql-transaction';

// The lock statements of a batch. Each takes every command of the batch at once, so a
// batch costs the same number of round trips whatever its size.

type Row = Record<string, unknown>;

/** A pending transfer locked for resolution or expiry, with its hold postings. */
export interface LockedPending {
  id: string;
  code: string;
  description: string;
  phase: string;
  status: string;
  timeoutAt: Date | null;
  /** Its timeout had passed by the database's clock when it was locked. */
  timedOut: boolean;
  holds: PostingRecord[];
}

/** Locks the transfers (by id order, so batches cannot deadlock on them) and reads their postings. */
export async function lockPendings(sql: Sql, ids: string[]): Promise<Map<string, LockedPending>> {
  const locked = new Map<string, LockedPending>();
  if (ids.length === 0) return locked;
  const rows: Row[] = await sql.query(
    `WITH p AS (
       SELECT id, code, description, phase, status, timeout_at, timeout_at <= clock_timestamp() AS timed_out
       FROM banking.transfers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE
     )
     SELECT p.*, h.id AS posting_id, h.account_id, h.direction, h.amount, h.currency, h.pending, h.balance_after, h.created_at AS posting_created_at
     FROM p LEFT JOIN banking.postings h ON h.transfer_id = p.id
     ORDER BY p.id, h.id`,
    [[...new Set(ids)]],
  );
  for (const row of rows) {
    let pending = locked.get(row.id as string);
    if (!pending) {
      pending = {
        id: row.id as string,
        code: row.code as string,
        description: row.description as string,
        phase: row.phase as string,
        status: row.status as string,
        timeoutAt: row.timeout_at ? new Date(row.timeout_at as string) : null,
        timedOut: row.timed_out === true,
        holds: [],
      };
      locked.set(pending.id, pending);
    }
    if (row.posting_id !== null) pending.holds.push(toPosting({ ...row, id: row.posting_id, created_at: row.posting_created_at }));
  }
  return locked;
}

/** An FX quote locked for the conversion that claims it. */
export interface LockedQuote {
  id: string;
  sellCurrency: string;
  buyCurrency: string;
  sellAmount: bigint;
  buyAmount: bigint;
  usedByTransfer: string | null;
}

/** Locks the FX quotes the batch's conversions claim. */
export async function lockFxQuotes(sql: Sql, ids: string[]): Promise<Map<string, LockedQuote>> {
  if (ids.length === 0) return new Map();
  const rows: Row[] = await sql.query(
    `SELECT id, sell_currency, buy_currency, sell_amount, buy_amount, used_by_transfer
     FROM banking.fx_quotes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [[...new Set(ids)]],
  );
  return new Map(
    rows.map((r) => [
      r.id as string,
      {
        id: r.id as string,
        sellCurrency: r.sell_currency as string,
        buyCurrency: r.buy_currency as string,
        sellAmount: BigInt(r.sell_amount as string),
        buyAmount: BigInt(r.buy_amount as string),
        usedByTransfer: (r.used_by_transfer as string | null) ?? null,
      },
    ]),
  );
}

/** The chain head as a batch found it, with the ids of the batch already used. */
export interface LockedHead {
  lastSeq: bigint;
  lastHash: string;
  /** Time of the last chained transfer; a batch's own time is never earlier. */
  lastCreatedAt: Date;
  /** Fingerprints of the batch's transfer ids that are already used, by id. */
  used: Map<string, string>;
}

/** What a batch holds once its locks are granted. */
export interface LockedBatch {
  /** Null when the batch chains nothing (it only releases expired holds). */
  head: LockedHead | null;
  accounts: Map<string, AccountRecord>;
}

// The two locks every batch takes, in this order, whether it plans on what it locks
// (lockBatch) or on the forecast (the expected-state check of writeBatch): one text for
// both, so the order cannot drift apart.
export const LOCK_HEAD = `SELECT last_seq, last_hash, last_created_at FROM banking.ledger_head WHERE singleton FOR UPDATE`;
export const lockAccounts = (columns: string, ids: string) => `SELECT ${columns} FROM banking.accounts WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;

/**
 * Locks the chain head (unless `transferIds` is null) and then the accounts in
 * id order, in one round trip, and returns them as they stand once granted;
 * in the same statement, finds which of `transferIds` are already used. Every
 * batch takes its locks in this order (pending transfers and FX quotes before
 * both), so batches cannot deadlock. The head is held to commit, so the
 * batch's transfers take consecutive chain positions. A batch that used one of
 * these ids has committed by the time the head is granted, but may not be
 * visible to this statement's snapshot; the batch then plans the id as new:
 * accepted, its insert fails with a unique violation that retries the batch;
 * refused, its id is looked up again before the refusal is answered.
 */
export async function lockBatch(sql: Sql, accountIds: string[], transferIds: string[] | null): Promise<LockedBatch> {
  const ids = [...new Set(accountIds)];
  if (transferIds === null) {
    const rows: Row[] = await sql.query(lockAccounts(ACCOUNT_COLUMNS, '$1'), [ids]);
    return { head: null, accounts: new Map(rows.map((r) => [r.id as string, toAccount(r)])) };
  }
  const rows: Row[] = await sql.query(
    `WITH head AS MATERIALIZED (${LOCK_HEAD})
     SELECT h.last_seq, h.last_hash, h.last_created_at,
            (SELECT coalesce(array_agg(t.id::text || ' ' || t.fingerprint), '{}') FROM banking.transfers t WHERE t.id = ANY($2::uuid[])) AS used,
            a.*
     FROM head h
     LEFT JOIN LATERAL (${lockAccounts(ACCOUNT_COLUMNS, '$1')}) a ON true`,
    [ids, [...new Set(transferIds)]],
  );
  const [first] = rows;
  const head: LockedHead = {
    lastSeq: BigInt(first.last_seq as string),
    lastHash: first.last_hash as string,
    lastCreatedAt: new Date(first.last_created_at as string),
    used: new Map((first.used as string[]).map((entry) => entry.split(' ') as [string, string])),
  };
  return { head, accounts: new Map(rows.filter((r) => r.id !== null).map((r) => [r.id as string, toAccount(r)])) };
}

