// What a service declares about its queues: the data of their jobs and how they are retried.

/**
 * The jobs of a service: queue name → the data of its jobs. Data is stored as JSON,
 * so it holds no `bigint` (money travels as a string of minor units) and a `Date`
 * comes back as a string.
 */
export type JobMap = Record<string, object>;

/** The queue names of a {@link JobMap}. */
export type JobName<Jobs extends JobMap> = keyof Jobs & string;

/** The queues that can take the jobs of queue `K` once they have no retries left: any other queue whose data type accepts them. */
export type DeadLetterFor<Jobs extends JobMap, K extends JobName<Jobs>> = {
  [D in JobName<Jobs>]: D extends K ? never : Jobs[K] extends Jobs[D] ? D : never;
}[JobName<Jobs>];

/** How a job is retried and how long a run may take. */
export interface RetrySettings {
  /** Retries after the first run; default 2 (pg-boss's). */
  retryLimit?: number;
  /** Seconds before a retry, a whole number; default 0, or 1 with `retryBackoff`. */
  retryDelay?: number;
  /**
   * Exponential backoff with jitter: retry n (from 1) waits between
   * `retryDelay * 2^(n-1)` and `retryDelay * 2^n` seconds (pg-boss picks at random
   * in that range; the exponent stops growing at 16). Default false: every retry waits `retryDelay`.
   */
  retryBackoff?: boolean;
  /** Longest run in seconds before the run is failed (and retried), under 24 h; default 900. */
  expireInSeconds?: number;
}

/** Settings of one queue: the defaults of its jobs. */
export interface QueueSettings<DeadLetter extends string = string> extends RetrySettings {
  /**
   * The queue that receives the data of each job that fails with no retries left (and the
   * error as its output). pg-boss gives such a job the retry limit of the job that failed
   * and its own defaults for the rest; the dead-letter queue's settings apply to jobs sent to it.
   */
  deadLetter?: DeadLetter;
}

/** Every queue of a {@link JobMap} with its settings. */
export type QueueCatalogue<Jobs extends JobMap> = { [K in JobName<Jobs>]: QueueSettings<DeadLetterFor<Jobs, K>> };

/**
 * Queue names with every dead-letter queue before the queues that use it (its row must
 * exist first). Throws on a dead-letter queue that is not declared, or on a cycle.
 */
export function creationOrder(queues: Record<string, QueueSettings>): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.includes(name)) return;
    if (!(name in queues)) throw new Error(`Unknown dead-letter queue "${name}": declare it in queues`);
    if (visiting.has(name)) throw new Error(`Dead-letter queues form a cycle through "${name}"`);
    visiting.add(name);
    const deadLetter = queues[name].deadLetter;
    if (deadLetter !== undefined) visit(deadLetter);
    order.push(name);
  };
  Object.keys(queues).forEach(visit);
  return order;
}
