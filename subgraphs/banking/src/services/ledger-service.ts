import { DomainError, ErrorCode, errors, isUniqueViolation, sqlState } from '@meridian/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { formatDecimal } from '../domain/money';
import {
  assertTransferId,
  fingerprint,
  validateTransferInput,
  type PostingRecord,
  type TransferInput,
  type TransferRecord,
} from '../domain/transfer';
import { toPosting, toTransfer } from '../data/rows';
import { appendToChain, applyChanges, enqueueEvent, lockAccounts, type CounterChange } from './ledger-writer';

/** Resolves a pending transfer: posts it (fully or in part) or voids it. */
export interface ResolvePendingInput {
  /** Client-chosen UUID of the resolving transfer (its idempotency key). */
  id: string;
  pendingId: string;
  /** Post only: minor units to post, at most the pending amount; default all of it. Needs a two-posting transfer when partial. */
  amount?: bigint;
}

const MAX_ATTEMPTS = 4;

/**
 * The double-entry ledger. Every method runs in one database transaction and
 * is idempotent by the transfer id: replaying the same content returns the
 * original, other content under a used id is IDEMPOTENCY_KEY_REUSED.
 */
export class LedgerService {
  constructor(private readonly db: DataSource) {}

  /**
   * Moves money now (single phase) or reserves it (pending, when `pendingTimeoutSeconds` is set).
   * Errors: BAD_USER_INPUT, NOT_FOUND, CONFLICT (account closed or frozen),
   * INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED.
   */
  async createTransfer(input: TransferInput): Promise<TransferRecord> {
    validateTransferInput(input);
    const pending = input.pendingTimeoutSeconds !== undefined;
    const request = { kind: 'transfer', ...input };
    const print = fingerprint(request);
    return this.idempotent(input.id, print, async (m) => {
      const [row]: Record<string, unknown>[] = await m.query(
        `INSERT INTO banking.transfers (id, code, description, metadata, caused_by, phase, status, timeout_at, fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::int IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => $8::int) END, $9)
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          input.id,
          input.code,
          input.description ?? '',
          JSON.stringify(input.metadata ?? {}),
          input.causedBy ?? null,
          pending ? 'PENDING' : 'SINGLE',
          pending ? 'PENDING' : 'POSTED',
          input.pendingTimeoutSeconds ?? null,
          print,
        ],
      );
      if (!row) return undefined;
      const accounts = await lockAccounts(m, input.postings.map((p) => p.accountId));
      const changes: CounterChange[] = input.postings.map((p) => ({ ...p, pending, sign: 1, record: true }));
      const postings = await applyChanges(m, input.id, accounts, changes);
      await enqueueEvent(m, pending ? 'ledger.transfer.pending' : 'ledger.transfer.posted', input.id, eventPayload(input.id, input.code, postings));
      const chained = await appendToChain(m, {
        id: input.id,
        code: input.code,
        description: input.description ?? '',
        metadata: input.metadata ?? {},
        causedBy: input.causedBy ?? null,
        phase: pending ? 'PENDING' : 'SINGLE',
        pendingId: null,
        createdAt: new Date(row.created_at as string),
        postings,
      });
      return { ...toTransfer(row, postings), seq: chained.seq, hash: chained.hash };
    });
  }

  /**
   * Posts a pending transfer: releases its hold and moves `amount` (default all).
   * Errors: BAD_USER_INPUT, NOT_FOUND, CONFLICT (not pending any more, expired), IDEMPOTENCY_KEY_REUSED.
   */
  postPending(input: ResolvePendingInput): Promise<TransferRecord> {
    return this.resolvePending(input, 'POST');
  }

  /** Voids a pending transfer, releasing its hold. Errors: as {@link postPending}. */
  async voidPending(input: ResolvePendingInput): Promise<TransferRecord> {
    if (input.amount !== undefined) throw errors.badInput('A void releases the whole hold; it takes no amount.', { field: 'amount' });
    return this.resolvePending(input, 'VOID');
  }

  /** Releases every hold whose timeout has passed; returns how many expired. */
  async expirePending(now = new Date()): Promise<number> {
    const due: { id: string }[] = await this.db.query(
      `SELECT id FROM banking.transfers WHERE status = 'PENDING' AND timeout_at <= $1 ORDER BY timeout_at LIMIT 500`,
      [now.toISOString()],
    );
    let expired = 0;
    for (const { id } of due) {
      const done = await this.retrying(() =>
        this.db.transaction(async (m) => {
          const [transfer]: Record<string, unknown>[] = await m.query(
            `SELECT id, status FROM banking.transfers WHERE id = $1 AND status = 'PENDING' AND timeout_at <= $2 FOR UPDATE`,
            [id, now.toISOString()],
          );
          if (!transfer) return false;
          const holds = await this.postingsOf(m, id);
          const accounts = await lockAccounts(m, holds.map((p) => p.accountId));
          await applyChanges(m, id, accounts, holds.map(release), { allowFrozen: true });
          await m.query(`UPDATE banking.transfers SET status = 'EXPIRED' WHERE id = $1`, [id]);
          await enqueueEvent(m, 'ledger.transfer.expired', id, { transferId: id });
          return true;
        }),
      );
      if (done) expired += 1;
    }
    return expired;
  }

  /** A transfer with its postings, or null. */
  async getTransfer(id: string, m: EntityManager = this.db.manager): Promise<TransferRecord | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const [row]: Record<string, unknown>[] = await m.query(`SELECT * FROM banking.transfers WHERE id = $1`, [id]);
    if (!row) return null;
    return toTransfer(row, await this.postingsOf(m, id));
  }

  private async resolvePending(input: ResolvePendingInput, action: 'POST' | 'VOID'): Promise<TransferRecord> {
    assertTransferId(input.id);
    assertTransferId(input.pendingId, 'pendingId');
    if (input.amount !== undefined && input.amount <= 0n) throw errors.badInput('amount must be greater than zero.', { field: 'amount' });
    const request = { kind: action, id: input.id, pendingId: input.pendingId, amount: input.amount };
    const phase = action === 'POST' ? 'POST_PENDING' : 'VOID_PENDING';
    const print = fingerprint(request);
    return this.idempotent(input.id, print, async (m) => {
      const [row]: Record<string, unknown>[] = await m.query(
        `INSERT INTO banking.transfers (id, code, description, phase, status, pending_id, fingerprint)
         SELECT $1, p.code, p.description, $2, 'POSTED', p.id, $3 FROM banking.transfers p WHERE p.id = $4
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        [input.id, phase, print, input.pendingId],
      );
      if (!row) {
        const exists = await m.query(`SELECT 1 FROM banking.transfers WHERE id = $1`, [input.id]);
        if (exists.length) return undefined;
        throw errors.notFound(`Pending transfer ${input.pendingId} does not exist.`);
      }
      const [pending]: Record<string, unknown>[] = await m.query(
        `SELECT status, phase, timeout_at <= clock_timestamp() AS timed_out FROM banking.transfers WHERE id = $1 FOR UPDATE`,
        [input.pendingId],
      );
      if (pending.phase !== 'PENDING') throw errors.conflict(`Transfer ${input.pendingId} is not a pending transfer.`);
      if (pending.status !== 'PENDING') throw errors.conflict(`Transfer ${input.pendingId} is already ${String(pending.status).toLowerCase()}.`);
      if (pending.timed_out) throw errors.conflict(`Transfer ${input.pendingId} has expired.`);
      const holds = await this.postingsOf(m, input.pendingId);
      const full = holds.find((h) => h.direction === 'DEBIT')!.amount;
      const amount = action === 'POST' ? (input.amount ?? full) : 0n;
      if (amount !== full && action === 'POST') {
        if (holds.length !== 2) throw errors.badInput('Only a two-posting transfer can be posted in part.', { field: 'amount' });
        if (amount > full) throw errors.badInput(`At most ${full} minor units can be posted.`, { field: 'amount' });
      }
      const changes: CounterChange[] = holds.map(release);
      if (action === 'POST') {
        for (const h of holds) {
          changes.push({ ...h, amount: holds.length === 2 ? amount : h.amount, pending: false, sign: 1, record: true });
        }
      }
      const accounts = await lockAccounts(m, holds.map((h) => h.accountId));
      const postings = await applyChanges(m, input.id, accounts, changes, { allowFrozen: true });
      await m.query(`UPDATE banking.transfers SET status = $2 WHERE id = $1`, [input.pendingId, action === 'POST' ? 'POSTED' : 'VOIDED']);
      await enqueueEvent(m, action === 'POST' ? 'ledger.transfer.posted' : 'ledger.transfer.voided', input.id, {
        ...eventPayload(input.id, row.code as string, postings),
        pendingId: input.pendingId,
      });
      const chained = await appendToChain(m, {
        id: input.id,
        code: row.code as string,
        description: row.description as string,
        metadata: {},
        causedBy: null,
        phase,
        pendingId: input.pendingId,
        createdAt: new Date(row.created_at as string),
        postings,
      });
      return { ...toTransfer(row, postings), seq: chained.seq, hash: chained.hash };
    });
  }

  /**
   * Runs `work` in a transaction; `work` returns the transfer it wrote, or
   * undefined when the id already existed, in which case the stored transfer is
   * read in the same transaction and returned if its fingerprint matches. The
   * result is always read inside the transaction, so a call is one pool checkout
   * and never a query on its own outside one.
   */
  private idempotent(
    id: string,
    print: string,
    work: (m: EntityManager) => Promise<TransferRecord | undefined>,
  ): Promise<TransferRecord> {
    return this.retrying(() =>
      this.db.transaction(async (m) => {
        const written = await work(m);
        if (written) return written;
        const [row]: Record<string, unknown>[] = await m.query(`SELECT * FROM banking.transfers WHERE id = $1`, [id]);
        if (!row) throw errors.notFound(`Transfer ${id} does not exist.`);
        if (row.fingerprint !== print) {
          throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Transfer id ${id} was already used for a different request.`, {
            field: 'transferId',
          });
        }
        return toTransfer(row, await this.postingsOf(m, id));
      }),
    );
  }

  /** Retries on serialization failures and deadlocks, which PostgreSQL asks the client to retry. */
  private async retrying<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (err) {
        const state = sqlState(err);
        if ((state === '40001' || state === '40P01') && attempt < MAX_ATTEMPTS) continue;
        if (isUniqueViolation(err, 'transfers_one_resolution')) {
          throw errors.conflict('This pending transfer was already posted or voided by another request.');
        }
        if (state === '23514' && /accounts_no_overdraw/.test(String((err as Error).message))) {
          throw new DomainError(ErrorCode.INSUFFICIENT_FUNDS, 'The account does not have enough available funds.');
        }
        if (state === '22003') throw errors.badInput('The amount would take a balance beyond the 64-bit range.', { field: 'amount' });
        throw err;
      }
    }
  }

  private async postingsOf(m: EntityManager, transferId: string): Promise<PostingRecord[]> {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT id, account_id, direction, amount, currency, pending, balance_after, created_at
       FROM banking.postings WHERE transfer_id = $1 ORDER BY id`,
      [transferId],
    );
    return rows.map(toPosting);
  }
}

/** The change that undoes a hold. */
function release(hold: PostingRecord): CounterChange {
  return { accountId: hold.accountId, direction: hold.direction, amount: hold.amount, currency: hold.currency, pending: true, sign: -1, record: false };
}

function eventPayload(transferId: string, code: string, postings: PostingRecord[]): Record<string, unknown> {
  return {
    transferId,
    code,
    postings: postings.map((p) => ({
      accountId: p.accountId,
      direction: p.direction,
      amount: formatDecimal(p.amount, p.currency),
      minorUnits: p.amount.toString(),
      currency: p.currency,
      pending: p.pending,
    })),
  };
}
