import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode, errors } from '@meridian/platform';
import type { EntityManager } from 'typeorm';
import { withinLimits, type AccountRecord } from '../domain/account';
import { chainHash } from '../domain/hash-chain';
import type { Direction, PostingRecord } from '../domain/transfer';
import type { CurrencyCode } from '../domain/currency';
import { ACCOUNT_COLUMNS, toAccount, toPosting } from '../data/rows';

/** A change to one account's counters inside a transfer. */
export interface CounterChange {
  accountId: string;
  direction: Direction;
  amount: bigint;
  currency: CurrencyCode;
  /** Affects the pending counters (a hold) rather than the posted ones. */
  pending: boolean;
  /** +1 applies, -1 releases (only for pending holds being posted, voided or expired). */
  sign: 1 | -1;
  /** Whether a posting row records this change (releases are recorded by the transfer's status). */
  record: boolean;
}

/** Locks the accounts in id order (so concurrent transfers cannot deadlock) and returns them by id. */
export async function lockAccounts(m: EntityManager, ids: string[]): Promise<Map<string, AccountRecord>> {
  const unique = [...new Set(ids)].sort();
  const rows: Record<string, unknown>[] = await m.query(
    `SELECT ${ACCOUNT_COLUMNS} FROM banking.accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [unique],
  );
  return new Map(rows.map((r) => [r.id as string, toAccount(r)]));
}

/**
 * Applies counter changes to locked accounts, checks every customer stays
 * within its limit, writes the counters back and records the postings.
 * Errors: NOT_FOUND, CONFLICT (closed or frozen), BAD_USER_INPUT (currency), INSUFFICIENT_FUNDS.
 */
export async function applyChanges(
  m: EntityManager,
  transferId: string,
  accounts: Map<string, AccountRecord>,
  changes: CounterChange[],
  options: { allowFrozen?: boolean } = {},
): Promise<PostingRecord[]> {
  const touched = new Map<string, AccountRecord>();
  const postingRows: unknown[][] = [];
  for (const change of changes) {
    const account = touched.get(change.accountId) ?? accounts.get(change.accountId);
    if (!account) throw errors.notFound(`Account ${change.accountId} does not exist.`);
    if (account.status === 'CLOSED') throw errors.conflict(`Account ${account.number} is closed.`, { field: 'accountId' });
    if (account.status === 'FROZEN' && !options.allowFrozen) {
      throw errors.conflict(`Account ${account.number} is frozen.`, { field: 'accountId' });
    }
    if (account.currency !== change.currency) {
      throw errors.badInput(`Account ${account.number} holds ${account.currency}, not ${change.currency}.`, { field: 'currency' });
    }
    const next = { ...account };
    const delta = change.sign === 1 ? change.amount : -change.amount;
    if (change.pending) {
      if (change.direction === 'DEBIT') next.debitsPending += delta;
      else next.creditsPending += delta;
    } else if (change.direction === 'DEBIT') next.debitsPosted += delta;
    else next.creditsPosted += delta;
    touched.set(account.id, next);
    if (change.record) {
      postingRows.push([
        transferId,
        account.id,
        change.direction,
        change.amount.toString(),
        change.currency,
        change.pending,
        change.pending ? null : (next.creditsPosted - next.debitsPosted).toString(),
      ]);
    }
  }
  for (const account of touched.values()) {
    // Only a change that lowers what is available can breach a limit; releases and credits never do.
    const before = accounts.get(account.id)!;
    const lowers = account.debitsPosted + account.debitsPending > before.debitsPosted + before.debitsPending;
    if (lowers && !withinLimits(account)) {
      throw new DomainError(ErrorCode.INSUFFICIENT_FUNDS, `Account ${account.number} does not have enough available funds.`, {
        field: 'amount',
      });
    }
  }
  for (const account of touched.values()) {
    await m.query(
      `UPDATE banking.accounts SET debits_posted = $2, credits_posted = $3, debits_pending = $4, credits_pending = $5 WHERE id = $1`,
      [account.id, account.debitsPosted.toString(), account.creditsPosted.toString(), account.debitsPending.toString(), account.creditsPending.toString()],
    );
    accounts.set(account.id, account);
  }
  if (postingRows.length === 0) return [];
  const params: unknown[] = [];
  const values = postingRows.map((row) => {
    const base = params.length;
    params.push(...row);
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7})`;
  });
  const inserted: Record<string, unknown>[] = await m.query(
    `INSERT INTO banking.postings (transfer_id, account_id, direction, amount, currency, pending, balance_after)
     VALUES ${values.join(', ')} RETURNING id, account_id, direction, amount, currency, pending, balance_after, created_at`,
    params,
  );
  return inserted.map(toPosting);
}

/** What the chain hash of a new transfer covers, besides its postings. */
export interface ChainEntry {
  id: string;
  code: string;
  description: string;
  metadata: Record<string, unknown>;
  causedBy: string | null;
  phase: string;
  pendingId: string | null;
  createdAt: Date;
  postings: PostingRecord[];
}

/**
 * Gives the transfer the next chain position under the head's row lock. It is
 * the last step before commit, so the one global lock is held as briefly as possible.
 */
export async function appendToChain(m: EntityManager, entry: ChainEntry): Promise<{ seq: bigint; hash: string }> {
  const [head]: { last_seq: string; last_hash: string }[] = await m.query(
    `SELECT last_seq, last_hash FROM banking.ledger_head WHERE singleton FOR UPDATE`,
  );
  const seq = BigInt(head.last_seq) + 1n;
  const hash = chainHash(head.last_hash, {
    seq,
    id: entry.id,
    code: entry.code,
    description: entry.description,
    metadata: entry.metadata,
    causedBy: entry.causedBy,
    phase: entry.phase,
    pendingId: entry.pendingId,
    createdAt: entry.createdAt,
    postings: entry.postings.map((p) => ({
      accountId: p.accountId,
      direction: p.direction,
      amount: p.amount,
      currency: p.currency,
      pending: p.pending,
    })),
  });
  await m.query(`UPDATE banking.ledger_head SET last_seq = $1, last_hash = $2 WHERE singleton`, [seq.toString(), hash]);
  await m.query(`UPDATE banking.transfers SET seq = $2, prev_hash = $3, hash = $4 WHERE id = $1`, [entry.id, seq.toString(), head.last_hash, hash]);
  return { seq, hash };
}

/** Writes an event to the outbox in the caller's transaction; the relay publishes it after commit. */
export async function enqueueEvent(m: EntityManager, eventType: string, aggregateId: string, payload: Record<string, unknown>): Promise<void> {
  await m.query(
    `INSERT INTO banking.outbox (id, topic, event_type, aggregate_id, payload) VALUES ($1, 'ledger.events', $2, $3, $4)`,
    [randomUUID(), eventType, aggregateId, JSON.stringify(payload)],
  );
}
