import type PgBoss from 'pg-boss';
import type { Logger } from '../logger';
import { createPeriodicWorker } from '../workers/periodic-worker';
import type { JobMetrics, JobOutcome } from './job-metrics';

/** One run of a job, as its handler sees it. */
export interface Job<T> {
  id: string;
  /** The queue's name. */
  name: string;
  data: T;
  /** Earlier runs that failed: 0 on the first run. */
  retryCount: number;
  /** Retries allowed; the run with `retryCount === retryLimit` is the last. */
  retryLimit: number;
  /**
   * Aborted when the run outlives the job's `expireInSeconds`, or the queue stops and
   * stops waiting for it; the job is failed then, whatever the handler does after.
   */
  signal: AbortSignal;
}

/** Does a job's work; resolving completes the job, rejecting fails this run (retried while retries are left). */
export type JobHandler<T> = (job: Job<T>) => Promise<void>;

/** Options for {@link createQueueWorker}. */
export interface QueueWorkerOptions<T> {
  boss: PgBoss;
  name: string;
  handler: JobHandler<T>;
  /** Jobs fetched and run at once; the next fetch waits for the slowest of them. */
  batchSize: number;
  /** Pause after a fetch that found less than a full batch, in ms. */
  pollingIntervalMs: number;
  logger: Logger;
  metrics?: JobMetrics;
}

/** The loop that runs one queue's jobs in this process. */
export interface QueueWorker {
  start(): void;
  /**
   * Stops fetching and waits up to `timeoutMs` for the jobs running; those still running
   * then have their signal aborted and are failed, so that they are retried (by another
   * replica, or after a restart) instead of waiting for their expiry.
   */
  stop(timeoutMs: number): Promise<void>;
}

interface RunningJob {
  job: PgBoss.JobWithMetadata<unknown>;
  controller: AbortController;
  /** Failed by stop(): whatever the handler does after is not recorded. */
  abandoned: boolean;
}

/**
 * Fetches jobs of one queue (pg-boss locks them with `FOR UPDATE SKIP LOCKED` and marks
 * them active in the same statement, so each job goes to one replica), runs the
 * handler on each and records the outcome job by job. Unlike pg-boss's own `work`,
 * one failing job in a batch does not fail the others, completions are awaited
 * (a lost one is not an unhandled rejection), and every outcome is counted.
 */
export function createQueueWorker<T>(options: QueueWorkerOptions<T>): QueueWorker {
  const { boss, name, handler, batchSize, logger, metrics } = options;
  const running = new Set<RunningJob>();
  let stopping = false;

  function outcomeOfFailure(job: PgBoss.JobWithMetadata<unknown>): JobOutcome {
    return job.retryCount < job.retryLimit ? 'retried' : 'failed';
  }

  async function recordFailure(job: PgBoss.JobWithMetadata<unknown>, err: unknown): Promise<void> {
    const outcome = outcomeOfFailure(job);
    await boss.fail(name, job.id, failureOutput(err));
    metrics?.runs.inc({ queue: name, outcome });
    const context = { err, queue: name, jobId: job.id, retryCount: job.retryCount };
    if (outcome === 'failed') logger.error(context, 'job failed and has no retries left');
    else logger.warn(context, 'job failed; it will be retried');
  }

  async function run(job: PgBoss.JobWithMetadata<T>): Promise<void> {
    const entry: RunningJob = { job, controller: new AbortController(), abandoned: false };
    running.add(entry);
    const endTimer = metrics?.duration.startTimer({ queue: name });
    let failure: { err: unknown } | undefined;
    try {
      const { id, data, retryCount, retryLimit } = job;
      const work = Promise.resolve().then(() => handler({ id, name, data, retryCount, retryLimit, signal: entry.controller.signal }));
      await withinSeconds(work, expirySeconds(job), entry.controller);
    } catch (err) {
      failure = { err };
    } finally {
      endTimer?.();
      running.delete(entry);
    }
    if (entry.abandoned) return;
    try {
      if (failure) {
        await recordFailure(job, failure.err);
      } else {
        await boss.complete(name, job.id);
        metrics?.runs.inc({ queue: name, outcome: 'completed' });
      }
    } catch (err) {
      // The job stays active; pg-boss's maintenance fails it once it expires, and it runs again.
      logger.error({ err, queue: name, jobId: job.id }, 'could not record the outcome of a job');
    }
  }

  async function drain(): Promise<void> {
    while (!stopping) {
      const jobs = await boss.fetch<T>(name, { batchSize, includeMetadata: true });
      if (jobs.length === 0) return;
      await Promise.all(jobs.map(run));
      if (jobs.length < batchSize) return;
    }
  }

  const loop = createPeriodicWorker({ name: `jobs:${name}`, run: drain, intervalMs: options.pollingIntervalMs, logger });

  return {
    start() {
      if (!stopping) loop.start();
    },
    async stop(timeoutMs) {
      stopping = true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<true>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      const late = await Promise.race([loop.stop().then(() => false), timedOut]);
      clearTimeout(timer);
      if (!late) return;
      const left = [...running];
      for (const entry of left) {
        entry.abandoned = true;
        entry.controller.abort(new Error('The job queue stopped before the job finished'));
      }
      await Promise.all(
        left.map((entry) =>
          recordFailure(entry.job, new Error(`The job queue stopped after waiting ${timeoutMs} ms for the job`)).catch((err: unknown) =>
            logger.error({ err, queue: name, jobId: entry.job.id }, 'could not fail a job left running at stop'),
          ),
        ),
      );
    },
  };
}

/** Rejects (and aborts `controller`) when `work` takes longer than `seconds`. */
function withinSeconds<T>(work: Promise<T>, seconds: number, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`The job ran longer than its ${seconds} s expiry`);
      controller.abort(err);
      reject(err);
    }, seconds * 1000);
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** The job's expiry; pg-boss reads it with EXTRACT, a numeric that `pg` hands over as a string. */
function expirySeconds(job: PgBoss.JobWithMetadata<unknown>): number {
  const seconds = Number(job.expireInSeconds);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 900;
}

/** What pg-boss stores as a failed run's output: the error's name and message (the stack goes to the log). */
function failureOutput(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}
