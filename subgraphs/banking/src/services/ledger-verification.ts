import { createPeriodicWorker, registeredMetric, type Logger, type ServerMetrics } from '@meridian/platform';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { LedgerVerifier, type LedgerVerificationReport } from '../ledger';

/** Options for {@link createLedgerVerification}. */
export interface LedgerVerificationOptions {
  dataSource: DataSource;
  /** The server's metrics: the worker's runs, and the verification's result and last success. */
  metrics: ServerMetrics;
  logger?: Logger;
  /** Pause between verifications, in ms (LEDGER_VERIFY_INTERVAL_MINUTES). */
  intervalMs: number;
  /** Wait before the first one, so a server starting up is not slowed by it; default 60 s. */
  firstAfterMs?: number;
}

/** What one pass did: verified (with its report), or left it to a replica already verifying. */
export type LedgerVerificationPass = { result: 'ok' | 'mismatch'; report: LedgerVerificationReport } | { result: 'skipped' };

/** The verification running in the background. */
export interface LedgerVerification {
  start(): void;
  stop(): Promise<void>;
  /** Verifies now, unless another process is verifying. */
  verifyOnce(): Promise<LedgerVerificationPass>;
}

/** The advisory lock one verification at a time holds, across every banking replica. */
const LOCK_NAME = 'banking.ledger-verification';

/**
 * Runs the ledger verifier ({@link LedgerVerifier}: the hash chain, every balance from
 * its postings, zero-sum currencies, limits) every `intervalMs` and reports its result:
 * `ledger_verification_ok` (1 when the last verification found the ledger sound, 0 on a
 * mismatch), `ledger_verification_last_success_timestamp_seconds` and
 * `ledger_verification_runs_total{result}` (ok, mismatch, skipped; a verification that
 * could not run counts in `worker_runs_total{worker="ledger-verifier",outcome="failed"}`).
 * One replica verifies at a time (a PostgreSQL advisory lock); the others skip that pass.
 * A mismatch is logged with where it is.
 */
export function createLedgerVerification(options: LedgerVerificationOptions): LedgerVerification {
  const { dataSource, logger } = options;
  const registry = options.metrics.registry;
  const verifier = new LedgerVerifier(dataSource);
  // Registered once per registry: the gauges say what the last verification of this process found.
  const runs = registeredMetric(
    registry,
    'ledger_verification_runs_total',
    () => new Counter({ name: 'ledger_verification_runs_total', help: 'Ledger verifications by result (ok, mismatch, skipped while another replica verified)', labelNames: ['result'], registers: [registry] }),
  );
  const sound = registeredMetric(
    registry,
    'ledger_verification_ok',
    () => new Gauge({ name: 'ledger_verification_ok', help: 'Whether the last ledger verification found the ledger sound (1) or a mismatch (0)', registers: [registry] }),
  );
  const lastSuccess = registeredMetric(
    registry,
    'ledger_verification_last_success_timestamp_seconds',
    () => new Gauge({ name: 'ledger_verification_last_success_timestamp_seconds', help: 'When a ledger verification last found the ledger sound (unix seconds)', registers: [registry] }),
  );

  async function verifyOnce(): Promise<LedgerVerificationPass> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: { locked: boolean }[] = await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [LOCK_NAME]);
      if (!locked) {
        runs.inc({ result: 'skipped' });
        return { result: 'skipped' };
      }
      try {
        const report = await verifier.verify();
        const result = report.ok ? 'ok' : 'mismatch';
        runs.inc({ result });
        sound.set(report.ok ? 1 : 0);
        if (report.ok) {
          lastSuccess.set(Date.now() / 1000);
          logger?.info({ transfers: report.transfers, accounts: report.accounts, ms: report.durationMs }, 'ledger verified');
        } else {
          logger?.error({ mismatch: { ...report.mismatch, seq: report.mismatch?.seq?.toString() } }, 'ledger verification found a mismatch');
        }
        return { result, report };
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_NAME]);
      }
    } finally {
      await runner.release();
    }
  }

  const worker = createPeriodicWorker({ name: 'ledger-verifier', run: verifyOnce, intervalMs: options.intervalMs, logger, metrics: options.metrics });
  let first: NodeJS.Timeout | undefined;
  return {
    start() {
      first = setTimeout(worker.start, options.firstAfterMs ?? 60_000);
      first.unref();
    },
    async stop() {
      clearTimeout(first);
      await worker.stop();
    },
    verifyOnce,
  };
}
