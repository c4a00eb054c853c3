import { Counter, Histogram, type Registry } from 'prom-client';

/** What happened to one run of a job. */
export type JobOutcome = 'completed' | 'retried' | 'failed';

/** The job queue's metrics, registered in a server's registry. */
export interface JobMetrics {
  /** `job_runs_total{queue, outcome}`: runs by outcome; `failed` means the retries are used up. */
  runs: Counter<'queue' | 'outcome'>;
  /** `job_run_duration_seconds{queue}`: how long handlers ran. */
  duration: Histogram<'queue'>;
}

/**
 * The job metrics of `registry`, created on first use: several queues (one per
 * service in the embedded mode, or a test's two replicas) share a registry, and
 * prom-client refuses a second metric of the same name.
 */
export function jobMetrics(registry: Registry): JobMetrics {
  const existingRuns = registry.getSingleMetric('job_runs_total');
  const existingDuration = registry.getSingleMetric('job_run_duration_seconds');
  const runs =
    existingRuns instanceof Counter
      ? existingRuns
      : new Counter({
          name: 'job_runs_total',
          help: 'Runs of queued jobs, by queue and outcome (completed, retried, failed after the last retry)',
          labelNames: ['queue', 'outcome'],
          registers: [registry],
        });
  const duration =
    existingDuration instanceof Histogram
      ? existingDuration
      : new Histogram({
          name: 'job_run_duration_seconds',
          help: 'Duration of queued job handlers in seconds',
          labelNames: ['queue'],
          buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120],
          registers: [registry],
        });
  return { runs, duration };
}
