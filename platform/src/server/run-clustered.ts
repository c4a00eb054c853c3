import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../logger';
import { createMetricsServer } from './create-http-server';

/** Options for {@link runClustered}. */
export interface ClusterOptions {
  /** How many worker processes to keep running; each runs the whole server on the same port. */
  workers: number;
  logger: Logger;
  /** Where the primary serves `/metrics`: every worker's registry, summed (the workers do not listen there). */
  metrics: { host: string; port: number };
  /** Wait before replacing a dead worker; doubles with each worker in a row that dies young. Default 1 s. */
  restartDelayMs?: number;
  /** The longest that wait grows to; default 30 s. */
  maxRestartDelayMs?: number;
  /** A worker that ran this long died of something other than starting up: the wait starts over. Default 60 s. */
  stableAfterMs?: number;
  /** How long `stop` lets workers drain before it kills them; default 15 s. */
  graceMs?: number;
}

/** The primary process of a clustered server. */
export interface ClusterPrimary {
  /** Sends SIGTERM to every worker, waits for them to drain and exit (killing any still running after `graceMs`), then stops serving metrics. */
  stop(): Promise<void>;
}

/**
 * Runs in the primary process: forks `workers` copies of this program with
 * node:cluster (which shares the listening socket between them and hands out
 * connections in turn), replaces a worker that dies after a back-off, and
 * serves every worker's metrics summed by prom-client's AggregatorRegistry.
 * The workers run the server with {@link shareMetricsWithPrimary}.
 */
export async function runClustered(options: ClusterOptions): Promise<ClusterPrimary> {
  const { logger } = options;
  const restartDelayMs = options.restartDelayMs ?? 1_000;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  const graceMs = options.graceMs ?? 15_000;
  const aggregator = new AggregatorRegistry();
  const metricsApp = createMetricsServer({ contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() }, logger);
  await metricsApp.listen(options.metrics);

  let stopping = false;
  let youngDeaths = 0;
  const restarts = new Set<NodeJS.Timeout>();
  const fork = () => {
    const worker = cluster.fork();
    const forkedAt = performance.now();
    const pid = worker.process.pid;
    worker.once('listening', (address) => logger.info({ worker: pid, port: address.port }, 'worker listening'));
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      youngDeaths = performance.now() - forkedAt < stableAfterMs ? youngDeaths + 1 : 0;
      const delay = restartDelay(youngDeaths, restartDelayMs, maxRestartDelayMs);
      logger.error({ worker: pid, code, signal, restartInMs: delay }, 'worker died; starting another');
      const timer = setTimeout(() => {
        restarts.delete(timer);
        if (!stopping) fork();
      }, delay);
      restarts.add(timer);
    });
  };
  for (let i = 0; i < options.workers; i++) fork();
  logger.info({ workers: options.workers, metricsPort: options.metrics.port }, 'primary started');

  return {
    async stop() {
      stopping = true;
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      await Promise.all(running.map((worker) => stopWorker(worker, graceMs, logger)));
      await metricsApp.close();
    },
  };
}

/**
 * The wait before replacing a worker, after `youngDeaths` workers in a row died young:
 * `baseMs`, doubled for each one past the first, at most `maxMs`. A worker that cannot
 * start would otherwise be forked again at once, forever.
 */
export function restartDelay(youngDeaths: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, youngDeaths - 1));
}

/**
 * SIGTERM rather than `worker.kill()`: that one cuts the IPC channel first, and
 * a worker whose channel is cut exits at once, without draining.
 */
function stopWorker(worker: Worker, graceMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const kill = setTimeout(() => {
      logger.warn({ worker: worker.process.pid }, 'worker did not stop in time; killing it');
      worker.process.kill('SIGKILL');
    }, graceMs);
    worker.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    if (worker.isDead()) {
      clearTimeout(kill);
      resolve();
      return;
    }
    worker.process.kill('SIGTERM');
  });
}

/** In a worker: answers the primary's requests for metrics (prom-client's cluster protocol) from `registry`. */
export function shareMetricsWithPrimary(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // prom-client starts listening for the primary's requests when an AggregatorRegistry is first made in the process.
  new AggregatorRegistry();
}
