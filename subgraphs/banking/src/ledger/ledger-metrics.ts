import { DomainError, ErrorCode } from '@meridian/platform';
import { Counter, Histogram, type Metric, type Registry } from 'prom-client';
import type { LedgerCommand, LedgerOutcome } from './plan';

/** What a command wrote, as `ledger_transfers_total` counts it. */
export type LedgerWriteKind = 'single' | 'hold' | 'post' | 'void' | 'expire';

/**
 * The ledger's metrics: made before the server's registry exists (the ledger is
 * built first, the server around it) and registered in it with {@link LedgerMetrics.register}.
 */
export interface LedgerMetrics {
  /** `ledger_batch_size`: commands per batch (one transaction, or one checked statement on the forecast). */
  batchSize: Histogram;
  /** `ledger_group_commit_wait_seconds`: how long a command waited for its batch to start. */
  groupCommitWait: Histogram;
  /** `ledger_batch_duration_seconds`: a batch from its start to its answers, retries included. */
  batchDuration: Histogram;
  /** `ledger_transfers_total{kind}`: transfers and expiries written; a replay of a stored id is not counted. */
  transfers: Counter<'kind'>;
  /** `ledger_refusals_total{code}`: commands refused, by the code their caller gets. */
  refusals: Counter<'code'>;
  /** Adds every ledger metric to the server's registry. */
  register(registry: Registry): void;
}

/** Creates the ledger's metrics, registered nowhere yet. */
export function createLedgerMetrics(): LedgerMetrics {
  const batchSize = new Histogram({
    name: 'ledger_batch_size',
    help: 'Ledger commands per batch (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [],
  });
  const groupCommitWait = new Histogram({
    name: 'ledger_group_commit_wait_seconds',
    help: 'How long a ledger command waited for its batch to start, in seconds',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [],
  });
  const batchDuration = new Histogram({
    name: 'ledger_batch_duration_seconds',
    help: 'Ledger batch duration in seconds, retries included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [],
  });
  const transfers = new Counter({
    name: 'ledger_transfers_total',
    help: 'Transfers written to the ledger by kind (single, hold, post, void, expire); replays of a stored id are not counted',
    labelNames: ['kind'],
    registers: [],
  });
  const refusals = new Counter({
    name: 'ledger_refusals_total',
    help: 'Ledger commands refused, by the error code their caller gets',
    labelNames: ['code'],
    registers: [],
  });
  const all = [batchSize, groupCommitWait, batchDuration, transfers, refusals] as Metric[];
  return {
    batchSize,
    groupCommitWait,
    batchDuration,
    transfers,
    refusals,
    register(registry) {
      for (const metric of all) registry.registerMetric(metric);
    },
  };
}

/** The kind of write a command makes. */
export function writeKindOf(command: LedgerCommand): LedgerWriteKind {
  if (command.kind === 'expire') return 'expire';
  if (command.kind === 'resolve') return command.action === 'POST' ? 'post' : 'void';
  return command.input.pendingTimeoutSeconds === undefined ? 'single' : 'hold';
}

/** Counts what a batch wrote. */
export function countWrites(metrics: LedgerMetrics, commands: LedgerCommand[], outcomes: LedgerOutcome[]): void {
  outcomes.forEach((outcome, i) => {
    if (outcome.ok && outcome.written) metrics.transfers.inc({ kind: writeKindOf(commands[i]) });
  });
}

/** The code a refused command's caller gets: its domain code, or INTERNAL_SERVER_ERROR for anything else. */
export function refusalCodeOf(err: unknown): ErrorCode {
  return err instanceof DomainError ? err.code : ErrorCode.INTERNAL_SERVER_ERROR;
}
