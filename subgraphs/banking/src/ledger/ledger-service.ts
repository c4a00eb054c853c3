import { currentTraceparent, errors, isUuid, setSpanAttributes, withSpan } from '@meridian/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { assertTransferId, fingerprint, validateTransferInput, type TransferInput, type TransferRecord } from '../domain/transfer';
import { createGroupCommit } from './group-commit';
import { LedgerForecast } from './forecast';
import { storedAnswer, type LedgerCommand, type LedgerOutcome, type ResolvePendingInput } from './batch';
import { attemptBatch } from './batch-attempt';
import { isDataRefusal, refusalOf, retryBatch } from './batch-retry';
import { countWrites, refusalCodeOf, type LedgerMetrics } from './ledger-metrics';
import { readStoredTransfers, readTransfers } from './reads';

export type { ResolvePendingInput } from './batch';

/** Options for {@link LedgerService}. */
export interface LedgerServiceOptions {
  /** Most requests one transaction takes. Default 256; 1 turns batching off. */
  maxBatchSize?: number;
  /** Transactions a process runs at once, each on its own connection. Default 2. */
  maxConcurrentBatches?: number;
  /**
   * Plan batches of transfers on the forecast and write them in one checked
   * statement (see LedgerForecast). Default true; false runs every batch in a
   * transaction on what it locks (the benchmark compares the two).
   */
  forecast?: boolean;
  /** Where batches, waits, writes and refusals are counted; none when unset. */
  metrics?: LedgerMetrics;
}

/**
 * The double-entry ledger. Requests that arrive while a transaction is running
 * are queued and run together as the next one (group commit): each is applied
 * in arrival order and accepted or refused on its own, and each caller gets its
 * own transfer or its own error. Every method is idempotent by the transfer id:
 * replaying the same content returns the original, other content under a used
 * id is IDEMPOTENCY_KEY_REUSED.
 */
export class LedgerService {
  private readonly submit: (command: LedgerCommand) => Promise<TransferRecord | boolean>;
  /** Undefined when batches are never planned on a forecast (option `forecast: false`). */
  private readonly forecast?: LedgerForecast;
  private readonly metrics?: LedgerMetrics;

  constructor(
    private readonly db: DataSource,
    options: LedgerServiceOptions = {},
  ) {
    if (options.forecast ?? true) this.forecast = new LedgerForecast();
    const { metrics } = options;
    this.metrics = metrics;
    this.submit = createGroupCommit((commands: LedgerCommand[]) => (metrics ? this.executeCounted(commands, metrics) : this.execute(commands)), {
      maxBatchSize: options.maxBatchSize ?? 256,
      maxConcurrentBatches: options.maxConcurrentBatches ?? 2,
      // A batch pays a commit and a statement's planning, about as much as writing 128 postings.
      minSharedWeight: 128,
      weigh: (command) => (command.kind === 'transfer' ? command.input.postings.length : 2),
      span: 'ledger.batch',
      onBatchStart: metrics
        ? (waitedMs) => {
            metrics.batchSize.observe(waitedMs.length);
            for (const ms of waitedMs) metrics.groupCommitWait.observe(ms / 1000);
          }
        : undefined,
    });
  }

  /**
   * Moves money now (single phase) or reserves it (pending, when `pendingTimeoutSeconds` is set).
   * Errors: BAD_USER_INPUT, NOT_FOUND, CONFLICT (account closed or frozen),
   * INSUFFICIENT_FUNDS, IDEMPOTENCY_KEY_REUSED.
   */
  createTransfer(input: TransferInput): Promise<TransferRecord> {
    return withSpan('ledger.transfer', { 'meridian.transfer.id': String(input.id), 'meridian.transfer.code': String(input.code) }, () =>
      this.counted(async () => {
        validateTransferInput(input);
        const print = fingerprint({ kind: 'transfer', ...input });
        return (await this.submit({ kind: 'transfer', input, fingerprint: print, traceparent: currentTraceparent() })) as TransferRecord;
      }),
    );
  }

  /**
   * Posts a pending transfer: releases its hold and moves `amount` (default all).
   * Errors: BAD_USER_INPUT, NOT_FOUND, CONFLICT (not pending any more, expired), IDEMPOTENCY_KEY_REUSED.
   */
  postPending(input: ResolvePendingInput): Promise<TransferRecord> {
    return withSpan('ledger.post_pending', { 'meridian.transfer.id': String(input.id), 'meridian.transfer.pending_id': String(input.pendingId) }, () =>
      this.counted(() => this.resolvePending(input, 'POST')),
    );
  }

  /** Voids a pending transfer, releasing its hold. Errors: as {@link postPending}. */
  voidPending(input: ResolvePendingInput): Promise<TransferRecord> {
    return withSpan('ledger.void_pending', { 'meridian.transfer.id': String(input.id), 'meridian.transfer.pending_id': String(input.pendingId) }, () =>
      this.counted(async () => {
        if (input.amount !== undefined) throw errors.badInput('A void releases the whole hold; it takes no amount.', { field: 'amount' });
        return this.resolvePending(input, 'VOID');
      }),
    );
  }

  /**
   * Releases every hold whose timeout has passed and returns how many expired.
   * Each is re-checked under its row lock, so a hold posted or voided meanwhile
   * is left alone. A hold that fails is left pending for the next call and
   * reported to `onFailure`; it does not stop the others.
   */
  async expirePending(now = new Date(), onFailure?: (transferId: string, err: unknown) => void): Promise<number> {
    const due: { id: string }[] = await this.db.query(
      `SELECT id FROM banking.transfers WHERE status = 'PENDING' AND timeout_at <= $1 ORDER BY timeout_at LIMIT 500`,
      [now.toISOString()],
    );
    const results = await Promise.all(
      due.map(({ id }) =>
        this.submit({ kind: 'expire', pendingId: id, dueBy: now, traceparent: currentTraceparent() }).catch((err: unknown) => {
          // One hold that cannot be released must not keep the others locked up; it is retried next sweep.
          onFailure?.(id, err);
          return false;
        }),
      ),
    );
    return results.filter((expired) => expired === true).length;
  }

  /** A transfer with its postings, or null. */
  async getTransfer(id: string, m: EntityManager = this.db.manager): Promise<TransferRecord | null> {
    if (!isUuid(id)) return null;
    return (await readTransfers(m, [id])).get(id) ?? null;
  }

  /**
   * The ledger in chain order: up to `limit` transfers (with their postings and
   * current status) whose chain position is after `afterSeq`, for a reader that
   * rebuilds its own view of the ledger page by page. Positions follow commit
   * order, so a reader that pages to the end has seen every committed transfer.
   */
  async history(afterSeq: bigint, limit: number): Promise<{ seq: bigint; transfer: TransferRecord }[]> {
    const rows: { id: string; position: string }[] = await this.db.query(
      `SELECT t.id, t.seq::text AS position FROM banking.transfers t WHERE t.seq > $1 ORDER BY t.seq LIMIT $2`,
      [afterSeq.toString(), limit],
    );
    const found = await readTransfers(this.db.manager, rows.map((r) => r.id));
    return rows.map((r) => ({ seq: BigInt(r.position), transfer: found.get(r.id)! }));
  }

  /** Transfers with their postings by id, in the order asked, null where missing (for DataLoader). */
  async getTransfers(ids: readonly string[]): Promise<(TransferRecord | null)[]> {
    const found = await readTransfers(this.db.manager, [...new Set(ids.filter(isUuid))]);
    return ids.map((id) => found.get(id) ?? null);
  }

  private async resolvePending(input: ResolvePendingInput, action: 'POST' | 'VOID'): Promise<TransferRecord> {
    assertTransferId(input.id);
    assertTransferId(input.pendingId, 'pendingId');
    if (input.amount !== undefined && input.amount <= 0n) throw errors.badInput('amount must be greater than zero.', { field: 'amount' });
    const print = fingerprint({ kind: action, id: input.id, pendingId: input.pendingId, amount: input.amount });
    return (await this.submit({ kind: 'resolve', action, input, fingerprint: print, traceparent: currentTraceparent() })) as TransferRecord;
  }

  /** Runs a caller's command, counting its refusal by code in `ledger_refusals_total`. */
  private async counted<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      this.metrics?.refusals.inc({ code: refusalCodeOf(err) });
      throw err;
    }
  }

  /** {@link execute}, timed, with what the batch wrote counted. */
  private async executeCounted(commands: LedgerCommand[], metrics: LedgerMetrics): Promise<LedgerOutcome[]> {
    const end = metrics.batchDuration.startTimer();
    try {
      const outcomes = await this.execute(commands);
      countWrites(metrics, commands, outcomes);
      return outcomes;
    } finally {
      end();
    }
  }

  /**
   * Runs one batch in one transaction, retrying it whole on serialization
   * failures and deadlocks. When PostgreSQL refuses the batch over one
   * command's data (a constraint, a value out of range), the commands are run
   * one by one, so only that command's caller sees the refusal. Any other
   * failure (a lost connection, a timeout) fails every command of the batch:
   * none of it was committed, or, if the connection was lost during COMMIT, all
   * of it was, and replaying a command with its id then returns its transfer.
   */
  private async execute(commands: LedgerCommand[]): Promise<LedgerOutcome[]> {
    try {
      return await retryBatch((attemptNumber) => {
        setSpanAttributes({ 'meridian.ledger.attempts': attemptNumber });
        return attemptBatch(this.db, this.forecast, commands, attemptNumber === 1);
      });
    } catch (err) {
      if (commands.length > 1 && isDataRefusal(err)) {
        const outcomes: LedgerOutcome[] = [];
        for (const command of commands) {
          try {
            outcomes.push(...(await this.execute([command])));
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        return outcomes;
      }
      const refusal = refusalOf(err);
      const [command] = commands;
      // A command PostgreSQL refused on its own is answered from what is stored under its id, if anything is.
      if (commands.length === 1 && command.kind !== 'expire' && isDataRefusal(err)) {
        const found = (await readStoredTransfers(this.db.manager, [command.input.id])).get(command.input.id);
        if (found) return [storedAnswer(command.input.id, command.fingerprint, found)];
      }
      throw refusal;
    }
  }
}
