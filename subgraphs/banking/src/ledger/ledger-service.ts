import { DomainError, ErrorCode, errors, isUniqueViolation, isUuid, mapPostgresError, sqlState, type PostgresMeanings } from '@meridian/platform';
import pRetry from 'p-retry';
import type { DataSource, EntityManager } from 'typeorm';
import { assertTransferId, fingerprint, validateTransferInput, type TransferInput, type TransferRecord } from '../domain/transfer';
import { onConnection } from '../data/sql-transaction';
import { createGroupCommit } from './group-commit';
import { LedgerForecast } from './forecast';
import {
  accountIdsOf,
  isForecastable,
  runForecastBatch,
  runLedgerBatch,
  storedAnswer,
  type LedgerCommand,
  type LedgerOutcome,
  type ResolvePendingInput,
} from './batch';
import { countWrites, refusalCodeOf, type LedgerMetrics } from './ledger-metrics';
import { readAccounts, readStoredTransfers, readTransfers } from './reads';

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

/** Tries of a batch refused by serialization failures or deadlocks (its retries run on what they lock). */
const MAX_ATTEMPTS = 6;
/** A batch stopped by the lock or statement timeout is tried once more. */
const TIMEOUT_RETRIES = 1;

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
    return this.counted(async () => {
      validateTransferInput(input);
      const print = fingerprint({ kind: 'transfer', ...input });
      return (await this.submit({ kind: 'transfer', input, fingerprint: print })) as TransferRecord;
    });
  }

  /**
   * Posts a pending transfer: releases its hold and moves `amount` (default all).
   * Errors: BAD_USER_INPUT, NOT_FOUND, CONFLICT (not pending any more, expired), IDEMPOTENCY_KEY_REUSED.
   */
  postPending(input: ResolvePendingInput): Promise<TransferRecord> {
    return this.counted(() => this.resolvePending(input, 'POST'));
  }

  /** Voids a pending transfer, releasing its hold. Errors: as {@link postPending}. */
  voidPending(input: ResolvePendingInput): Promise<TransferRecord> {
    return this.counted(async () => {
      if (input.amount !== undefined) throw errors.badInput('A void releases the whole hold; it takes no amount.', { field: 'amount' });
      return this.resolvePending(input, 'VOID');
    });
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
        this.submit({ kind: 'expire', pendingId: id, dueBy: now }).catch((err: unknown) => {
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
    return (await this.submit({ kind: 'resolve', action, input, fingerprint: print })) as TransferRecord;
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
      return await this.retrying((attemptNumber) => this.attempt(commands, attemptNumber === 1));
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

  /**
   * One try at a batch: on its first try, written on the forecast when the
   * batch is plain transfers and the forecast knows every account and the
   * head; otherwise in a transaction on what it locks. After any failure the
   * forecast of its accounts and of the head is forgotten, and the retry runs
   * on what it locks, however soon another batch teaches the forecast again:
   * a batch cannot be refused try after try by a process writing elsewhere.
   */
  private async attempt(commands: LedgerCommand[], onForecast: boolean): Promise<LedgerOutcome[]> {
    let resolve!: (committed: boolean) => void;
    const writer = { written: new Promise<boolean>((r) => (resolve = r)), ended: false };
    const settle = (committed: boolean) => {
      writer.ended = true;
      resolve(committed);
    };
    try {
      const outcomes = await onConnection(this.db, async (connection) => {
        const { forecast } = this;
        if (forecast && onForecast && isForecastable(commands)) {
          const accountIds = accountIdsOf(commands);
          const unknown = forecast.unknown(accountIds);
          if (unknown.length > 0 && forecast.ready()) forecast.learn(await readAccounts(connection, unknown));
          // Assumed and planned in the same tick, so no other batch records in between.
          const assumed = forecast.assume(accountIds);
          const outcomes = assumed && (await runForecastBatch(connection, commands, assumed, forecast, writer));
          if (outcomes) return outcomes;
        }
        return connection.transaction((sql) => runLedgerBatch(sql, commands, this.forecast, writer));
      });
      settle(true);
      return outcomes;
    } catch (err) {
      settle(false);
      this.forecast?.forget(isForecastable(commands) ? accountIdsOf(commands) : undefined);
      throw err;
    }
  }

  /**
   * Retries on serialization failures and deadlocks, which PostgreSQL asks the
   * client to retry, and on a transfer id taken by a transaction that committed
   * while this one ran (the retry finds it and compares fingerprints). A batch
   * that waited too long for a lock or ran past the statement timeout (another
   * session holding a row) wrote nothing and is retried once; then its callers
   * get SERVICE_UNAVAILABLE and may retry with the same ids.
   */
  private retrying<T>(run: (attemptNumber: number) => Promise<T>): Promise<T> {
    let timeouts = 0;
    return pRetry(run, {
      retries: MAX_ATTEMPTS - 1 + TIMEOUT_RETRIES,
      // A short, jittered pause, so batches that deadlocked or raced do not meet again at once.
      minTimeout: 1,
      maxTimeout: 50,
      randomize: true,
      shouldRetry: ({ error, attemptNumber }) => {
        if (isTimeout(error)) return ++timeouts <= TIMEOUT_RETRIES;
        const state = sqlState(error);
        const retryable = state === '40001' || state === '40P01' || isUniqueViolation(error, 'transfers_pkey');
        return retryable && attemptNumber - timeouts < MAX_ATTEMPTS;
      },
    });
  }
}

/** The lock timeout (55P03) or the statement timeout (57014): the statement was stopped, nothing of it written. */
function isTimeout(err: unknown): boolean {
  const state = sqlState(err);
  return state === '55P03' || state === '57014';
}

/** An error PostgreSQL raised over the data of the statement (classes 22 and 23), before anything was committed. */
function isDataRefusal(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/** What banking's constraints mean to a caller whose command PostgreSQL refused. */
const LEDGER_MEANINGS: PostgresMeanings = {
  constraints: {
    transfers_one_resolution: () => errors.conflict('This pending transfer was already posted or voided by another request.'),
    accounts_no_overdraw: () => new DomainError(ErrorCode.INSUFFICIENT_FUNDS, 'The account does not have enough available funds.'),
  },
  states: {
    '22003': () => errors.badInput('The amount would take a balance beyond the 64-bit range.', { field: 'amount' }),
    '55P03': () => errors.unavailable('The ledger is busy and wrote nothing for this request. Retry it with the same id.'),
    '57014': () => errors.unavailable('The ledger is busy and wrote nothing for this request. Retry it with the same id.'),
  },
};

/** The domain error a database refusal of a single command stands for, or the error itself. */
function refusalOf(err: unknown): unknown {
  return mapPostgresError(err, LEDGER_MEANINGS) ?? err;
}
