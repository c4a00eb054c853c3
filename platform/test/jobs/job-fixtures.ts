import { randomBytes } from 'node:crypto';
import { createJobQueue, createLogger, type JobMap, type JobQueue, type JobQueueOptions } from '@meridian/platform';
import type { TestDatabase } from '@meridian/platform/testing';

/** The jobs the tests send: a counter to run, and a queue whose jobs fail into a dead-letter queue. */
export type TestJobs = {
  work: { n: number };
  flaky: { n: number };
  'flaky.dead': { n: number };
};

export const logger = createLogger({ service: 'jobs-test', level: process.env.LOG_LEVEL ?? 'silent', pretty: false });

/** A schema of the test's own, so tests in one database never see each other's jobs. */
export function freshSchema(): string {
  return `jobs_${randomBytes(5).toString('hex')}`;
}

/** Polling low enough for quick tests; pg-boss's own minimum would be 0.5 s. */
export const FAST = { pollingIntervalSeconds: 0.1 } as const;

/** A queue on the test database with small pools (the embedded database serves one connection at a time). */
export function testQueue<Jobs extends JobMap = TestJobs>(
  db: TestDatabase,
  schema: string,
  queues: JobQueueOptions<Jobs>['queues'],
  extra: Partial<JobQueueOptions<Jobs>> = {},
): JobQueue<Jobs> {
  return createJobQueue<Jobs>({ databaseUrl: db.url, schema, queues, logger, poolSize: 2, ...extra });
}

/** The default catalogue of {@link TestJobs}. */
export const testQueues: JobQueueOptions<TestJobs>['queues'] = {
  work: {},
  flaky: { retryLimit: 2, retryDelay: 1, retryBackoff: true, deadLetter: 'flaky.dead' },
  'flaky.dead': { retryLimit: 0 },
};

/** Waits until `done()` holds, checking every 20 ms for at most `limitMs`: the machine may be busy, so no fixed waits. */
export async function until(done: () => boolean | Promise<boolean>, limitMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A promise with its resolve function outside, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
