import { createPeriodicWorker, type Logger, type ServerMetrics } from '@meridian/platform';
import type { LedgerService } from '../ledger';

/** Options for {@link createExpirySweeper}. */
export interface ExpirySweeperOptions {
  ledger: LedgerService;
  logger?: Logger;
  /** Pause between sweeps, in ms. Default 5,000. */
  intervalMs?: number;
  /** The server's metrics, for the worker's runs. */
  metrics?: ServerMetrics;
}

/** Releases timed-out holds in the background. */
export interface ExpirySweeper {
  /** Sweeps now and then every `intervalMs` until stopped. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
  /** Expires every hold whose timeout has passed; resolves with how many it expired. */
  sweepOnce(): Promise<number>;
}

/** `expirePending` handles at most this many per call; a full call means more may be due. */
const EXPIRE_BATCH = 500;
/** Calls per sweep, so one sweep cannot run forever. */
const MAX_CALLS_PER_SWEEP = 20;

/**
 * Runs `ledger.expirePending()` on an interval. Each hold expires in its own
 * transaction, re-checked under a row lock, so sweepers in several processes
 * (or a customer posting the hold at the same moment) never release it twice.
 */
export function createExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const { ledger, logger } = options;
  const intervalMs = options.intervalMs ?? 5_000;

  async function sweepOnce(): Promise<number> {
    let total = 0;
    for (let call = 0; call < MAX_CALLS_PER_SWEEP; call++) {
      const expired = await ledger.expirePending(new Date(), (transferId, err) =>
        logger?.error({ err, transferId }, 'could not expire a pending transfer; will retry'),
      );
      total += expired;
      if (expired < EXPIRE_BATCH) break;
    }
    if (total > 0) logger?.info({ expired: total }, 'expired pending transfers');
    return total;
  }

  const worker = createPeriodicWorker({ name: 'expiry-sweeper', run: sweepOnce, intervalMs, logger, metrics: options.metrics });
  return { start: worker.start, stop: worker.stop, sweepOnce };
}
