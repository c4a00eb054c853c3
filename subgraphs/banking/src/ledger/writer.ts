import type { AccountRecord } from '../domain/account';
import type { PlannedPosting } from './account-book';
import type { PostingRecord, TransferRecord } from '../domain/transfer';
import { ACCOUNT_COLUMNS, toAccount, toPosting, toTransfer } from '../data/rows';
import type { Sql } from '../data/sql-transaction';
import type { AssumedState } from './forecast';

// The statements of one ledger batch. Each takes every command of the batch at
// once, so a batch costs the same number of round trips whatever its size.

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

/** Accounts as last committed, without locking them. */
export async function readAccounts(sql: Sql, ids: string[]): Promise<AccountRecord[]> {
  const rows: Row[] = await sql.query(`SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.map(toAccount);
}

/**
 * An array parameter as a PostgreSQL array literal, built here when every
 * element is a plain token (ids, numbers, codes, booleans) that needs no
 * quoting: pg would otherwise quote and escape each of the thousands of
 * elements a batch sends. Anything else is left to pg.
 */
export function pgArray(values: readonly (string | bigint | number | boolean | null)[]): string | readonly unknown[] {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // NULL unquoted would read as a null element.
    if (typeof value === 'string' && (!PLAIN_TOKEN.test(value) || value.toUpperCase() === 'NULL')) return values;
    const token = value === null ? 'NULL' : String(value);
    out += i === 0 ? token : `,${token}`;
  }
  return `${out}}`;
}

const PLAIN_TOKEN = /^[A-Za-z0-9_.:+-]+$/;

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
// (lockBatch) or on the forecast (EXPECTED_STATE): one text for both, so the order
// cannot drift apart.
const LOCK_HEAD = `SELECT last_seq, last_hash, last_created_at FROM banking.ledger_head WHERE singleton FOR UPDATE`;
const lockAccounts = (columns: string, ids: string) => `SELECT ${columns} FROM banking.accounts WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;

/**
 * Locks the chain head (unless `transferIds` is null) and then the accounts in
 * id order, in one round trip, and returns them as they stand once granted;
 * in the same statement, finds which of `transferIds` are already used. Every
 * batch takes its locks in this order (pending transfers and FX quotes before
 * both), so batches cannot deadlock. The head is held to commit, so the
 * batch's transfers take consecutive chain positions. A batch that used one of
 * these ids has committed by the time the head is granted, but may not be
 * visible to this statement's snapshot; the batch then treats the id as new,
 * and its insert fails with a unique violation that retries the batch.
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

/** A transfer row to insert, complete with its chain link. */
export interface TransferWrite {
  id: string;
  code: string;
  description: string;
  metadata: Record<string, unknown>;
  causedBy: string | null;
  phase: string;
  status: string;
  pendingId: string | null;
  timeoutSeconds: number | null;
  fingerprint: string;
  seq: bigint;
  prevHash: string;
  hash: string;
  postings: PlannedPosting[];
}

/** An outbox event to insert. */
export interface EventWrite {
  id: string;
  eventType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/** Everything one batch writes. */
export interface BatchWrite {
  /** The batch's timestamp: created_at of its transfers and postings. */
  now: Date;
  accounts: AccountRecord[];
  transfers: TransferWrite[];
  /** Pending transfers moved to POSTED, VOIDED or EXPIRED. */
  statuses: { id: string; status: string }[];
  /** FX quotes marked used. */
  quotes: { id: string; transferId: string }[];
  events: EventWrite[];
  /** The new chain head; null when the batch chains nothing. */
  head: { seq: bigint; hash: string } | null;
  /**
   * The state the batch was planned on without holding any lock. The statement
   * then first locks the head and the accounts (in that order, as lockBatch does),
   * checks they are exactly this, and writes nothing unless they are.
   */
  expected?: AssumedState;
}

// Locks the head and then the accounts, and fails the statement with a serialization
// failure unless both are as expected ($37 onwards). The check runs before any posting
// is inserted (it is the insert's condition), and every other write of the statement
// comes after the insert, so nothing is written unless it passes.
const EXPECTED_STATE = `
     held_head AS MATERIALIZED (${LOCK_HEAD}),
     held AS MATERIALIZED (
       SELECT a.* FROM held_head,
       LATERAL (${lockAccounts('id, status, overdraft_limit, debits_posted, credits_posted, debits_pending, credits_pending', '$37')}) a
     ),
     guard AS MATERIALIZED (
       SELECT banking.expect_ledger_state(
         (SELECT (last_seq, last_hash, last_created_at) = ($44::bigint, $45::text, $46::timestamptz) FROM held_head)
         AND (SELECT count(*) FROM held h
              JOIN unnest($37::uuid[], $38::text[], $39::bigint[], $40::bigint[], $41::bigint[], $42::bigint[], $43::bigint[])
                AS e (id, status, overdraft_limit, debits_posted, credits_posted, debits_pending, credits_pending)
                ON e.id = h.id AND e.status = h.status AND e.overdraft_limit = h.overdraft_limit
                AND e.debits_posted = h.debits_posted AND e.credits_posted = h.credits_posted
                AND e.debits_pending = h.debits_pending AND e.credits_pending = h.credits_pending) = cardinality($37::uuid[])
       ) AS ok
     ),
     `;

/** The parameters of {@link EXPECTED_STATE}. */
function expectedParams(expected: AssumedState): unknown[] {
  const accounts = [...expected.accounts.values()];
  const { head } = expected;
  return [
    pgArray(accounts.map((a) => a.id)),
    pgArray(accounts.map((a) => a.status)),
    pgArray(accounts.map((a) => a.overdraftLimit.toString())),
    pgArray(accounts.map((a) => a.debitsPosted.toString())),
    pgArray(accounts.map((a) => a.creditsPosted.toString())),
    pgArray(accounts.map((a) => a.debitsPending.toString())),
    pgArray(accounts.map((a) => a.creditsPending.toString())),
    head.lastSeq.toString(),
    head.lastHash,
    head.lastCreatedAt.toISOString(),
  ];
}

/** The postings' parameters of {@link writeBatch}, one array each, built in one pass. */
function postingColumns(transfers: TransferWrite[]) {
  const columns = { transferId: [] as string[], accountId: [] as string[], direction: [] as string[], amount: [] as string[], currency: [] as string[], pending: [] as boolean[], balanceAfter: [] as (string | null)[] };
  for (const t of transfers) {
    for (const p of t.postings) {
      columns.transferId.push(t.id);
      columns.accountId.push(p.accountId);
      columns.direction.push(p.direction);
      columns.amount.push(p.amount.toString());
      columns.currency.push(p.currency);
      columns.pending.push(p.pending);
      columns.balanceAfter.push(p.balanceAfter === null ? null : p.balanceAfter.toString());
    }
  }
  return {
    transferId: pgArray(columns.transferId),
    accountId: pgArray(columns.accountId),
    direction: pgArray(columns.direction),
    amount: pgArray(columns.amount),
    currency: pgArray(columns.currency),
    pending: pgArray(columns.pending),
    balanceAfter: pgArray(columns.balanceAfter),
  };
}

/**
 * Writes a batch in one statement: counters, transfers with their chain links,
 * resolved holds, used quotes, outbox events, the head hash and the postings.
 * Returns the postings' ids in the order given (identity values follow the
 * insert order, and the insert runs in that order).
 */
export async function writeBatch(sql: Sql, w: BatchWrite): Promise<string[]> {
  const postings = postingColumns(w.transfers);
  const rows: Row[] = await sql.query(
    `WITH ${w.expected ? EXPECTED_STATE : ''}counters AS (
       UPDATE banking.accounts a
       SET debits_posted = c.debits_posted, credits_posted = c.credits_posted,
           debits_pending = c.debits_pending, credits_pending = c.credits_pending
       FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
         AS c (id, debits_posted, credits_posted, debits_pending, credits_pending)
       WHERE a.id = c.id
     ),
     transfers AS (
       INSERT INTO banking.transfers (id, code, description, metadata, caused_by, phase, status, pending_id, timeout_at,
                                      fingerprint, created_at, seq, prev_hash, hash)
       SELECT t.id, t.code, t.description, t.metadata, t.caused_by, t.phase, t.status, t.pending_id,
              $1::timestamptz + make_interval(secs => t.timeout_seconds), t.fingerprint, $1::timestamptz, t.seq, t.prev_hash, t.hash
       FROM unnest($7::uuid[], $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::uuid[], $15::int[],
                   $16::text[], $17::bigint[], $18::text[], $19::text[])
         AS t (id, code, description, metadata, caused_by, phase, status, pending_id, timeout_seconds, fingerprint, seq, prev_hash, hash)
     ),
     statuses AS (
       UPDATE banking.transfers p SET status = s.status
       FROM unnest($20::uuid[], $21::text[]) AS s (id, status) WHERE p.id = s.id
     ),
     quotes AS (
       UPDATE banking.fx_quotes q SET used_by_transfer = u.transfer_id
       FROM unnest($22::uuid[], $23::uuid[]) AS u (id, transfer_id) WHERE q.id = u.id
     ),
     events AS (
       INSERT INTO banking.outbox (id, topic, event_type, aggregate_id, payload)
       SELECT e.id, 'ledger.events', e.event_type, e.aggregate_id, e.payload
       FROM unnest($24::uuid[], $25::text[], $26::text[], $27::jsonb[]) WITH ORDINALITY AS e (id, event_type, aggregate_id, payload, n)
       ORDER BY e.n
     ),
     head AS (
       UPDATE banking.ledger_head SET last_seq = $36::bigint, last_hash = $28, last_created_at = $1::timestamptz WHERE singleton AND $28::text IS NOT NULL
     )
     INSERT INTO banking.postings (transfer_id, account_id, direction, amount, currency, pending, balance_after, created_at)
     SELECT p.transfer_id, p.account_id, p.direction, p.amount, p.currency, p.pending, p.balance_after, $1::timestamptz
     FROM unnest($29::uuid[], $30::uuid[], $31::text[], $32::bigint[], $33::text[], $34::boolean[], $35::bigint[]) WITH ORDINALITY
       AS p (transfer_id, account_id, direction, amount, currency, pending, balance_after, n)
     ${w.expected ? 'WHERE (SELECT ok FROM guard)' : ''}
     ORDER BY p.n
     RETURNING id`,
    [
      w.now.toISOString(),
      pgArray(w.accounts.map((a) => a.id)),
      pgArray(w.accounts.map((a) => a.debitsPosted.toString())),
      pgArray(w.accounts.map((a) => a.creditsPosted.toString())),
      pgArray(w.accounts.map((a) => a.debitsPending.toString())),
      pgArray(w.accounts.map((a) => a.creditsPending.toString())),
      pgArray(w.transfers.map((t) => t.id)),
      pgArray(w.transfers.map((t) => t.code)),
      w.transfers.map((t) => t.description),
      w.transfers.map((t) => JSON.stringify(t.metadata)),
      w.transfers.map((t) => t.causedBy),
      pgArray(w.transfers.map((t) => t.phase)),
      pgArray(w.transfers.map((t) => t.status)),
      pgArray(w.transfers.map((t) => t.pendingId)),
      pgArray(w.transfers.map((t) => t.timeoutSeconds)),
      pgArray(w.transfers.map((t) => t.fingerprint)),
      pgArray(w.transfers.map((t) => t.seq.toString())),
      pgArray(w.transfers.map((t) => t.prevHash)),
      pgArray(w.transfers.map((t) => t.hash)),
      pgArray(w.statuses.map((s) => s.id)),
      pgArray(w.statuses.map((s) => s.status)),
      pgArray(w.quotes.map((q) => q.id)),
      pgArray(w.quotes.map((q) => q.transferId)),
      pgArray(w.events.map((e) => e.id)),
      pgArray(w.events.map((e) => e.eventType)),
      pgArray(w.events.map((e) => e.aggregateId)),
      w.events.map((e) => JSON.stringify(e.payload)),
      w.head?.hash ?? null,
      postings.transferId,
      postings.accountId,
      postings.direction,
      postings.amount,
      postings.currency,
      postings.pending,
      postings.balanceAfter,
      w.head?.seq.toString() ?? null,
      ...(w.expected ? expectedParams(w.expected) : []),
    ],
  );
  // Positive integers as decimal strings: a shorter one is smaller, equal lengths compare as text.
  return rows.map((r) => String(r.id)).sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0));
}

/** A stored transfer and the fingerprint of the request that wrote it. */
export interface StoredTransfer {
  record: TransferRecord;
  fingerprint: string;
}

/** The stored transfers with their postings and fingerprints, by id. */
export async function readStoredTransfers(sql: Sql, ids: string[]): Promise<Map<string, StoredTransfer>> {
  const found = new Map<string, StoredTransfer>();
  if (ids.length === 0) return found;
  const unique = [...new Set(ids)];
  const rows: Row[] = await sql.query(`SELECT * FROM banking.transfers WHERE id = ANY($1::uuid[])`, [unique]);
  if (rows.length === 0) return found;
  const postingRows: Row[] = await sql.query(
    `SELECT transfer_id, id, account_id, direction, amount, currency, pending, balance_after, created_at
     FROM banking.postings WHERE transfer_id = ANY($1::uuid[]) ORDER BY id`,
    [rows.map((r) => r.id)],
  );
  const postings = new Map<string, PostingRecord[]>();
  for (const p of postingRows) {
    const list = postings.get(p.transfer_id as string) ?? [];
    list.push(toPosting(p));
    postings.set(p.transfer_id as string, list);
  }
  for (const row of rows) {
    found.set(row.id as string, { record: toTransfer(row, postings.get(row.id as string) ?? []), fingerprint: row.fingerprint as string });
  }
  return found;
}

/** The stored transfers with their postings, by id. */
export async function readTransfers(sql: Sql, ids: string[]): Promise<Map<string, TransferRecord>> {
  const stored = await readStoredTransfers(sql, ids);
  return new Map([...stored].map(([id, { record }]) => [id, record]));
}
