import type { Logger } from '../logger';
import type { ServerMetrics } from '../server/metrics';

/** Options for {@link createPeriodicWorker}. */
export interface PeriodicWorkerOptions<T> {
  /** The worker's name, in logs and in the `worker` label of its metrics. */
  name: string;
  /** One pass of the work; its result is what {@link PeriodicWorker.runOnce} returns. */
  run: () => Promise<T>;
  /** Pause after a pass that succeeded, in ms. */
  intervalMs: number;
  /** Pause after the first failed pass in a row, doubling with each further failure; default `intervalMs`. */
  backoffMs?: number;
  /** The longest pause after failures; default 60 s (never less than `intervalMs`). */
  maxBackoffMs?: number;
  logger?: Logger;
  /** The server's metrics, for `worker_runs_total` and `worker_run_duration_seconds`; none when unset. */
  metrics?: Pick<ServerMetrics, 'workerRuns' | 'workerDuration'>;
}

/** Work that runs in the background, one pass at a time, until stopped. */
export interface PeriodicWorker<T> {
  /** Runs a pass now and then after every pause, until stopped. Starting twice does nothing. */
  start(): void;
  /** Stops scheduling and waits for a pass in progress. */
  stop(): Promise<void>;
  /** Runs one pass now, outside the schedule. */
  runOnce(): Promise<T>;
}

/**
 * The one timer loop for background work (the outbox relay, the hold-expiry
 * sweeper, and whatever polls later): a pass, then a pause, never two passes
 * at once; after a failure the pause doubles up to `maxBackoffMs` and the
 * failure is logged, after a success it is `intervalMs` again. Timers are
 * unref'd, so a worker never keeps a process alive; `stop` waits for the pass
 * in progress.
 */
export function createPeriodicWorker<T>(options: PeriodicWorkerOptions<T>): PeriodicWorker<T> {
  const { name, logger } = options;
  const backoffMs = options.backoffMs ?? options.intervalMs;
  const maxBackoffMs = Math.max(options.maxBackoffMs ?? 60_000, options.intervalMs);
  const { metrics } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let started = false;
  let failures = 0;

  async function runOnce(): Promise<T> {
    const end = metrics?.workerDuration.startTimer({ worker: name });
    try {
      const result = await options.run();
      metrics?.workerRuns.inc({ worker: name, outcome: 'ok' });
      return result;
    } catch (err) {
      metrics?.workerRuns.inc({ worker: name, outcome: 'failed' });
      throw err;
    } finally {
      end?.();
    }
  }

  function tick(): void {
    running = runOnce()
      .then(
        () => {
          failures = 0;
        },
        (err: unknown) => {
          failures += 1;
          logger?.warn({ err, worker: name, failures }, `${name} failed; will retry`);
        },
      )
      .finally(() => {
        running = undefined;
        if (!started) return;
        const pause = failures === 0 ? options.intervalMs : Math.min(backoffMs * 2 ** (failures - 1), maxBackoffMs);
        timer = setTimeout(tick, pause);
        timer.unref();
      });
  }

  return {
    start() {
      if (started) return;
      started = true;
      tick();
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      await running;
    },
    runOnce,
  };
}
