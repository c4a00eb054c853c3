import type { AccountRecord } from '../domain/account';
import type { PlannedPosting } from './account-book';
import type { AssumedState } from './forecast';
import { LOCK_HEAD, lockAccounts } from './locks';
import type { Sql } from '../data/sql-transaction';

// A batch's one write: every change of every command in one statement, built from
// named pieces, each adding its own parameters.

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
  /** The W3C traceparent of the request the event comes from, when it was traced. */
  traceparent?: string;
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

/** Numbers parameters as they are added, so each piece of a statement names its own. */
class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder, e.g. `$7`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** Adds an array (sent as a literal when it can be, see {@link pgArray}) and returns its placeholder. */
  array(values: readonly (string | bigint | number | boolean | null)[]): string {
    return this.add(pgArray(values));
  }
}

/**
 * The expected-state check of a batch planned on the forecast: locks the head and
 * then the accounts (in lockBatch's order) and fails the statement with a
 * serialization failure unless both are exactly as assumed. It is the postings
 * insert's condition, and every other write of the statement comes after the
 * insert, so nothing is written unless it passes.
 */
function expectedState(p: SqlParams, expected: AssumedState): string {
  const accounts = [...expected.accounts.values()];
  const { head } = expected;
  const ids = p.array(accounts.map((a) => a.id));
  const columns = [
    ['status', 'text', accounts.map((a) => a.status)],
    ['overdraft_limit', 'bigint', accounts.map((a) => a.overdraftLimit.toString())],
    ['debits_posted', 'bigint', accounts.map((a) => a.debitsPosted.toString())],
    ['credits_posted', 'bigint', accounts.map((a) => a.creditsPosted.toString())],
    ['debits_pending', 'bigint', accounts.map((a) => a.debitsPending.toString())],
    ['credits_pending', 'bigint', accounts.map((a) => a.creditsPending.toString())],
  ] as const;
  const arrays = columns.map(([, type, values]) => `${p.array(values)}::${type}[]`).join(', ');
  const names = columns.map(([name]) => name);
  const headMatches = `(last_seq, last_hash, last_created_at) = (${p.add(head.lastSeq.toString())}::bigint, ${p.add(head.lastHash)}::text, ${p.add(head.lastCreatedAt.toISOString())}::timestamptz)`;
  return `
     held_head AS MATERIALIZED (${LOCK_HEAD}),
     held AS MATERIALIZED (
       SELECT a.* FROM held_head, LATERAL (${lockAccounts(`id, ${names.join(', ')}`, ids)}) a
     ),
     guard AS MATERIALIZED (
       SELECT banking.expect_ledger_state(
         (SELECT ${headMatches} FROM held_head)
         AND (SELECT count(*) FROM held h
              JOIN unnest(${ids}::uuid[], ${arrays}) AS e (id, ${names.join(', ')})
                ON e.id = h.id AND ${names.map((n) => `e.${n} = h.${n}`).join(' AND ')}) = cardinality(${ids}::uuid[])
       ) AS ok
     )`;
}

/** The new balance counters of every account the batch touched. */
function counters(p: SqlParams, accounts: AccountRecord[]): string {
  return `counters AS (
       UPDATE banking.accounts a
       SET debits_posted = c.debits_posted, credits_posted = c.credits_posted,
           debits_pending = c.debits_pending, credits_pending = c.credits_pending
       FROM unnest(${p.array(accounts.map((a) => a.id))}::uuid[], ${p.array(accounts.map((a) => a.debitsPosted.toString()))}::bigint[],
                   ${p.array(accounts.map((a) => a.creditsPosted.toString()))}::bigint[], ${p.array(accounts.map((a) => a.debitsPending.toString()))}::bigint[],
                   ${p.array(accounts.map((a) => a.creditsPending.toString()))}::bigint[])
         AS c (id, debits_posted, credits_posted, debits_pending, credits_pending)
       WHERE a.id = c.id
     )`;
}

/** The transfers with their chain links, at the batch's time `now` (a placeholder). */
function transfers(p: SqlParams, list: TransferWrite[], now: string): string {
  const columns = [
    p.array(list.map((t) => t.id)) + '::uuid[]',
    p.array(list.map((t) => t.code)) + '::text[]',
    p.add(list.map((t) => t.description)) + '::text[]',
    p.add(list.map((t) => JSON.stringify(t.metadata))) + '::jsonb[]',
    p.add(list.map((t) => t.causedBy)) + '::text[]',
    p.array(list.map((t) => t.phase)) + '::text[]',
    p.array(list.map((t) => t.status)) + '::text[]',
    p.array(list.map((t) => t.pendingId)) + '::uuid[]',
    p.array(list.map((t) => t.timeoutSeconds)) + '::int[]',
    p.array(list.map((t) => t.fingerprint)) + '::text[]',
    p.array(list.map((t) => t.seq.toString())) + '::bigint[]',
    p.array(list.map((t) => t.prevHash)) + '::text[]',
    p.array(list.map((t) => t.hash)) + '::text[]',
  ];
  return `transfers AS (
       INSERT INTO banking.transfers (id, code, description, metadata, caused_by, phase, status, pending_id, timeout_at,
                                      fingerprint, created_at, seq, prev_hash, hash)
       SELECT t.id, t.code, t.description, t.metadata, t.caused_by, t.phase, t.status, t.pending_id,
              ${now}::timestamptz + make_interval(secs => t.timeout_seconds), t.fingerprint, ${now}::timestamptz, t.seq, t.prev_hash, t.hash
       FROM unnest(${columns.join(', ')})
         AS t (id, code, description, metadata, caused_by, phase, status, pending_id, timeout_seconds, fingerprint, seq, prev_hash, hash)
     )`;
}

/** Pending transfers resolved or expired, FX quotes used, outbox events and the new chain head. */
function sideEffects(p: SqlParams, w: BatchWrite, now: string): string[] {
  const ctes = [
    `statuses AS (
       UPDATE banking.transfers p SET status = s.status
       FROM unnest(${p.array(w.statuses.map((s) => s.id))}::uuid[], ${p.array(w.statuses.map((s) => s.status))}::text[]) AS s (id, status) WHERE p.id = s.id
     )`,
    `quotes AS (
       UPDATE banking.fx_quotes q SET used_by_transfer = u.transfer_id
       FROM unnest(${p.array(w.quotes.map((q) => q.id))}::uuid[], ${p.array(w.quotes.map((q) => q.transferId))}::uuid[]) AS u (id, transfer_id) WHERE q.id = u.id
     )`,
    `events AS (
       INSERT INTO banking.outbox (id, topic, event_type, aggregate_id, payload, traceparent)
       SELECT e.id, 'ledger.events', e.event_type, e.aggregate_id, e.payload, e.traceparent
       FROM unnest(${p.array(w.events.map((e) => e.id))}::uuid[], ${p.array(w.events.map((e) => e.eventType))}::text[],
                   ${p.array(w.events.map((e) => e.aggregateId))}::text[], ${p.add(w.events.map((e) => JSON.stringify(e.payload)))}::jsonb[],
                   ${p.array(w.events.map((e) => e.traceparent ?? null))}::text[])
         WITH ORDINALITY AS e (id, event_type, aggregate_id, payload, traceparent, n)
       ORDER BY e.n
     )`,
  ];
  if (w.head) {
    ctes.push(`head AS (
       UPDATE banking.ledger_head SET last_seq = ${p.add(w.head.seq.toString())}::bigint, last_hash = ${p.add(w.head.hash)}, last_created_at = ${now}::timestamptz
       WHERE singleton
     )`);
  }
  return ctes;
}

/** The postings, in the order given (their identity values follow it); the statement's main insert. */
function postings(p: SqlParams, list: TransferWrite[], now: string, guarded: boolean): string {
  const columns = { transferId: [] as string[], accountId: [] as string[], direction: [] as string[], amount: [] as string[], currency: [] as string[], pending: [] as boolean[], balanceAfter: [] as (string | null)[] };
  for (const t of list) {
    for (const posting of t.postings) {
      columns.transferId.push(t.id);
      columns.accountId.push(posting.accountId);
      columns.direction.push(posting.direction);
      columns.amount.push(posting.amount.toString());
      columns.currency.push(posting.currency);
      columns.pending.push(posting.pending);
      columns.balanceAfter.push(posting.balanceAfter === null ? null : posting.balanceAfter.toString());
    }
  }
  return `INSERT INTO banking.postings (transfer_id, account_id, direction, amount, currency, pending, balance_after, created_at)
     SELECT p.transfer_id, p.account_id, p.direction, p.amount, p.currency, p.pending, p.balance_after, ${now}::timestamptz
     FROM unnest(${p.array(columns.transferId)}::uuid[], ${p.array(columns.accountId)}::uuid[], ${p.array(columns.direction)}::text[],
                 ${p.array(columns.amount)}::bigint[], ${p.array(columns.currency)}::text[], ${p.array(columns.pending)}::boolean[],
                 ${p.array(columns.balanceAfter)}::bigint[]) WITH ORDINALITY
       AS p (transfer_id, account_id, direction, amount, currency, pending, balance_after, n)
     ${guarded ? 'WHERE (SELECT ok FROM guard)' : ''}
     ORDER BY p.n
     RETURNING id`;
}

/**
 * Writes a batch in one statement: counters, transfers with their chain links,
 * resolved holds, used quotes, outbox events, the head hash and the postings;
 * with `expected`, only once the head and the accounts are checked to be as
 * assumed. Returns the postings' ids in the order given (identity values
 * follow the insert order, and the insert runs in that order).
 */
export async function writeBatch(sql: Sql, w: BatchWrite): Promise<string[]> {
  const p = new SqlParams();
  const now = p.add(w.now.toISOString());
  const ctes = [
    ...(w.expected ? [expectedState(p, w.expected)] : []),
    counters(p, w.accounts),
    transfers(p, w.transfers, now),
    ...sideEffects(p, w, now),
  ];
  const text = `WITH ${ctes.join(',\n     ')}\n     ${postings(p, w.transfers, now, w.expected !== undefined)}`;
  const rows = await sql.query(text, p.values);
  // Positive integers as decimal strings: a shorter one is smaller, equal lengths compare as text.
  return rows.map((r) => String(r.id)).sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0));
}
