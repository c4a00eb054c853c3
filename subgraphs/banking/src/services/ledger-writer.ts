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
  const postingRows: { accountId: string; direction: Direction; amount: string; currency: string; pending: boolean; balanceAfter: string | null }[] = [];
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
      postingRows.push({
        accountId: account.id,
        direction: change.direction,
        amount: change.amount.toString(),
        currency: change.currency,
        pending: change.pending,
        balanceAfter: change.pending ? null : (next.creditsPosted - next.debitsPosted).toString(),
      });
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
  for (const account of touched.values()) accounts.set(account.id, account);
  // One round trip for every account's counters and every posting: the statement runs
  // while the accounts are locked, so its cost is paid by everyone waiting for them.
  const touchedList = [...touched.values()];
  const inserted: Record<string, unknown>[] = await m.query(
    `WITH counters AS (
       UPDATE banking.accounts a
       SET debits_posted = c.debits_posted, credits_posted = c.credits_posted,
           debits_pending = c.debits_pending, credits_pending = c.credits_pending
       FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
         AS c (id, debits_posted, credits_posted, debits_pending, credits_pending)
       WHERE a.id = c.id
     )
     INSERT INTO banking.postings (transfer_id, account_id, direction, amount, currency, pending, balance_after)
     SELECT $6, p.account_id, p.direction, p.amount, p.currency, p.pending, p.balance_after
     FROM unnest($7::uuid[], $8::text[], $9::bigint[], $10::text[], $11::boolean[], $12::bigint[]) WITH ORDINALITY
       AS p (account_id, direction, amount, currency, pending, balance_after, n)
     ORDER BY p.n
     RETURNING id, account_id, direction, amount, currency, pending, balance_after, created_at`,
    [
      touchedList.map((a) => a.id),
      touchedList.map((a) => a.debitsPosted.toString()),
      touchedList.map((a) => a.creditsPosted.toString()),
      touchedList.map((a) => a.debitsPending.toString()),
      touchedList.map((a) => a.creditsPending.toString()),
      transferId,
      postingRows.map((r) => r.accountId),
      postingRows.map((r) => r.direction),
      postingRows.map((r) => r.amount),
      postingRows.map((r) => r.currency),
      postingRows.map((r) => r.pending),
      postingRows.map((r) => r.balanceAfter),
    ],
  );
  // Identity values follow the insert order; sorting by them keeps the postings in the order given.
  return inserted.map(toPosting).sort((x, y) => (BigInt(x.id) < BigInt(y.id) ? -1 : 1));
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
 * the last step before commit, so the one global lock is held as briefly as
 * possible: one statement takes the lock and the previous hash, one writes the
 * new hash to the head and the transfer, then the transaction commits.
 */
export async function appendToChain(m: EntityManager, entry: ChainEntry): Promise<{ seq: bigint; prevHash: string; hash: string }> {
  const [head]: { last_seq: string; last_hash: string }[] = await m.query(
    `WITH head AS (UPDATE banking.ledger_head SET last_seq = last_seq + 1 WHERE singleton RETURNING last_seq, last_hash) SELECT * FROM head`,
  );
  const seq = BigInt(head.last_seq);
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
  await m.query(
    `WITH head AS (UPDATE banking.ledger_head SET last_hash = $4 WHERE singleton)
     UPDATE banking.transfers SET seq = $2, prev_hash = $3, hash = $4 WHERE id = $1`,
    [entry.id, seq.toString(), head.last_hash, hash],
  );
  return { seq, prevHash: head.last_hash, hash };
}

/** Writes an event to the outbox in the caller's transaction; the relay publishes it after commit. */
export async function enqueueEvent(m: EntityManager, eventType: string, aggregateId: string, payload: Record<string, unknown>): Promise<void> {
  await m.query(
    `INSERT INTO banking.outbox (id, topic, event_type, aggregate_id, payload) VALUES ($1, 'ledger.events', $2, $3, $4)`,
    [randomUUID(), eventType, aggregateId, JSON.stringify(payload)],
  );
}
