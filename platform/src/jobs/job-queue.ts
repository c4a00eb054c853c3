import PgBoss from 'pg-boss';
import { v5 as uuidv5 } from 'uuid';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../server/metrics';
import { openJobDatabase, transactionSqlRunner, type JobTransaction } from './job-database';
import { jobMetrics } from './job-metrics';
import { creationOrder, type JobMap, type JobName, type QueueCatalogue, type QueueSettings, type RetrySettings } from './queue-catalogue';
import { createQueueWorker, type JobHandler, type QueueWorker } from './queue-worker';

/** Options for {@link createJobQueue}. */
export interface JobQueueOptions<Jobs extends JobMap> {
  /** PostgreSQL URL: the real server or the embedded one. */
  databaseUrl: string;
  /** The schema pg-boss keeps its tables in, one per service (`payments_jobs`); created on start. */
  schema: string;
  /** Every queue this service sends to or works; created on start. */
  queues: QueueCatalogue<Jobs>;
  logger: Logger;
  /** The server's metrics, for `job_runs_total` and `job_run_duration_seconds`; none when unset. */
  metrics?: Pick<ServerMetrics, 'registry'>;
  /**
   * Connections of the queue's own pool, at least 2 (creating queues holds one for a lock); default 4.
   * Keep it at 2 on the embedded PGlite, which serves one connection at a time anyway.
   */
  poolSize?: number;
  /** Seconds between maintenance passes (expiring stuck runs, archiving done jobs), one replica at a time; default 120. */
  maintenanceIntervalSeconds?: number;
  /** Seconds a completed job stays before it is archived, which also ends its `singletonKey`'s hold; default 12 h. */
  archiveCompletedAfterSeconds?: number;
}

/** Options of {@link JobQueue.send}; retry settings override the queue's. */
export interface JobSendOptions extends RetrySettings {
  /**
   * An idempotency key: at most one job per queue and key. A send with a key whose job
   * is still kept (waiting, running, retrying, done or failed, until it is archived)
   * creates nothing and answers that job's id with `created: false`.
   */
  singletonKey?: string;
  /** When the job may run: a time, or seconds from now. Default now. */
  startAfter?: Date | number;
  /**
   * The caller's transaction (a TypeORM EntityManager or QueryRunner, or a pg client on
   * the same database): the job is inserted in it, so it exists if and only if that
   * transaction commits. Without it the job is committed at once on the queue's pool.
   */
  db?: JobTransaction;
}

/** Options of {@link JobQueue.work}. */
export interface JobWorkOptions {
  /** Jobs fetched and run at once; default 1. */
  batchSize?: number;
  /** Seconds between fetches while the queue is empty; default 2. */
  pollingIntervalSeconds?: number;
}

/** The answer to a send. */
export interface SentJob {
  id: string;
  /** False when a job with the same `singletonKey` was already there (its id is `id`). */
  created: boolean;
}

/** A job's state in pg-boss. */
export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** What is stored about a job. */
export interface JobInfo<T> {
  id: string;
  name: string;
  data: T;
  state: JobState;
  retryCount: number;
  retryLimit: number;
  startAfter: Date;
  completedOn: Date | null;
  /** For a failed run, `{ name, message }` of its error. */
  output: unknown;
}

/** A durable job queue: jobs survive restarts, and each run goes to one replica. */
export interface JobQueue<Jobs extends JobMap> {
  /** Creates or migrates the schema, creates the queues, then runs the handlers registered with `work`. */
  start(): Promise<void>;
  /**
   * Stops fetching, waits up to `timeoutMs` (default 5,000) for the handlers running,
   * fails those still running so they are retried, and closes the pool. Final.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Queues a job; needs `start` first. Rejects when the data is not JSON (a `bigint`) or the database refuses. */
  send<K extends JobName<Jobs>>(name: K, data: Jobs[K], options?: JobSendOptions): Promise<SentJob>;
  /** Runs `handler` on the jobs of `name` in this process, from `start` until `stop`. One handler per queue. */
  work<K extends JobName<Jobs>>(name: K, handler: JobHandler<Jobs[K]>, options?: JobWorkOptions): void;
  /** A job, including archived ones; null when unknown. */
  getJob<K extends JobName<Jobs>>(name: K, id: string): Promise<JobInfo<Jobs[K]> | null>;
}

/** The namespace of the job ids derived from a `singletonKey` (UUIDv5). */
const KEYED_JOB_NAMESPACE = '508282f9-c64f-47a4-b249-e54d3ece6d78';

/**
 * A job queue on pg-boss 10 in its own schema. The queue runs its own pool and its
 * own fetch loop per queue (see createQueueWorker); pg-boss provides the tables,
 * the locking fetch, retries with backoff, dead letters and maintenance. Cron
 * schedules are off: a scheduled payment is a job with `startAfter`.
 *
 * Delivery is at least once: a process that dies in a handler leaves the job
 * active until it expires (`expireInSeconds`), then it runs again. Handlers must
 * be idempotent; writes that must happen once belong in a transaction that checks
 * what is already stored.
 */
export function createJobQueue<Jobs extends JobMap>(options: JobQueueOptions<Jobs>): JobQueue<Jobs> {
  const { schema, logger } = options;
  const settings: Record<string, QueueSettings> = options.queues;
  const order = creationOrder(settings);
  const poolSize = options.poolSize ?? 4;
  if (!Number.isInteger(poolSize) || poolSize < 2) throw new Error('poolSize must be a whole number of at least 2');
  let state: 'new' | 'starting' | 'started' | 'stopping' = 'new';
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const workers = new Map<string, QueueWorker>();
  const metrics = options.metrics ? jobMetrics(options.metrics.registry) : undefined;

  const database = openJobDatabase({
    url: options.databaseUrl,
    poolSize,
    applicationName: `meridian-${schema}`,
    logger,
    onError: (err) => {
      // pg-boss swallows a failed fetch; say so, except for the races start tolerates.
      if (state === 'started') logger.warn({ err, schema }, 'job queue statement failed');
    },
  });
  const boss = new PgBoss({
    db: database,
    schema,
    migrate: true,
    supervise: true,
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 120,
    ...(options.archiveCompletedAfterSeconds ? { archiveCompletedAfterSeconds: options.archiveCompletedAfterSeconds } : {}),
  });
  boss.on('error', (err) => {
    if (state !== 'stopping') logger.warn({ err, schema }, 'job queue maintenance failed');
  });

  async function begin(): Promise<void> {
    await boss.start();
    // pg-boss 10 deadlocks when processes create queues at once (each insert into the
    // queue table, then each foreign key on it waits for the other), so one at a time.
    await database.withLock(`meridian.jobs.${schema}.queues`, async () => {
      for (const name of order) await boss.createQueue(name, withoutUndefined({ name, ...retrySettings(settings[name]), deadLetter: settings[name].deadLetter }));
    });
    if (state !== 'starting') return; // stopped meanwhile
    state = 'started';
    for (const worker of workers.values()) worker.start();
    logger.info({ schema, queues: order }, 'job queue started');
  }

  return {
    start() {
      if (state === 'stopping') return Promise.reject(new Error('The job queue is stopped'));
      if (!starting) {
        state = 'starting';
        starting = begin();
      }
      return starting;
    },

    stop(stopOptions = {}) {
      if (!stopping) {
        state = 'stopping';
        const timeoutMs = stopOptions.timeoutMs ?? 5_000;
        stopping = (async () => {
          await starting?.catch(() => undefined);
          await Promise.all([...workers.values()].map((worker) => worker.stop(timeoutMs)));
          await boss.stop({ graceful: false, close: false });
          await database.close();
        })();
      }
      return stopping;
    },

    async send(name, data, sendOptions = {}) {
      if (state !== 'started') throw new Error(`The job queue is not running; cannot send to "${name}"`);
      const queue = settings[name];
      const id = sendOptions.singletonKey === undefined ? undefined : uuidv5(`${name}\u0000${sendOptions.singletonKey}`, KEYED_JOB_NAMESPACE);
      const created = await boss.send(
        name,
        data,
        withoutUndefined({
          ...retrySettings(queue),
          ...retrySettings(sendOptions),
          deadLetter: queue.deadLetter,
          id,
          singletonKey: sendOptions.singletonKey,
          startAfter: sendOptions.startAfter,
          db: sendOptions.db ? transactionSqlRunner(sendOptions.db) : undefined,
        }),
      );
      if (created) return { id: created, created: true };
      // The insert joins the queue table; without a key, nothing inserted means no queue.
      if (id) return { id, created: false };
      throw new Error(`The queue "${name}" does not exist in schema ${schema}`);
    },

    work(name, handler, workOptions = {}) {
      if (state === 'stopping') throw new Error('The job queue is stopped');
      if (!(name in settings)) throw new Error(`Unknown queue "${name}"`);
      if (workers.has(name)) throw new Error(`The queue "${name}" already has a handler`);
      const batchSize = workOptions.batchSize ?? 1;
      const pollingIntervalSeconds = workOptions.pollingIntervalSeconds ?? 2;
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a whole number of at least 1');
      if (!(pollingIntervalSeconds > 0)) throw new Error('pollingIntervalSeconds must be above 0');
      const worker = createQueueWorker({ boss, name, handler, batchSize, pollingIntervalMs: pollingIntervalSeconds * 1000, logger, metrics });
      workers.set(name, worker);
      if (state === 'started') worker.start();
    },

    async getJob<K extends JobName<Jobs>>(name: K, id: string): Promise<JobInfo<Jobs[K]> | null> {
      const job = await boss.getJobById<Jobs[K]>(name, id, { includeArchive: true });
      if (!job) return null;
      return {
        id: job.id,
        name: job.name,
        data: job.data,
        state: job.state,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
        startAfter: job.startAfter,
        completedOn: job.completedOn,
        output: job.output,
      };
    },
  };
}

/** The retry settings of `source`, nothing else (pg-boss refuses a key present with `undefined`). */
function retrySettings(source: RetrySettings): RetrySettings {
  const { retryLimit, retryDelay, retryBackoff, expireInSeconds } = source;
  return withoutUndefined({ retryLimit, retryDelay, retryBackoff, expireInSeconds });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
