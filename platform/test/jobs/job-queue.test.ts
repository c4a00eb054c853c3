import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { closeDataSource, createDataSource, createServerMetrics, initializeDataSource, type JobQueue, type JobQueueOptions, type QueueCatalogue } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import { FAST, freshSchema, testQueue, testQueues, until, type TestJobs } from './job-fixtures';

// Sending, running, retrying and delaying jobs, on the real PostgreSQL (DATABASE_URL) or the embedded PGlite.
let db: TestDatabase;
let dataSource: DataSource;
const queues: JobQueue<TestJobs>[] = [];

/** A started queue on a schema of its own, stopped after the test. */
async function startQueue(extra: Partial<JobQueueOptions<TestJobs>> = {}): Promise<JobQueue<TestJobs>> {
  const queue = testQueue<TestJobs>(db, freshSchema(), testQueues, extra);
  queues.push(queue);
  await queue.start();
  return queue;
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource({ url: db.url, schema: 'app', entities: [], migrations: [], poolSize: 2 });
  await initializeDataSource(dataSource, false);
  await dataSource.query('CREATE TABLE app.payments (id int PRIMARY KEY, note text NOT NULL)');
}, 120_000); // starting an embedded PGlite takes a while on a busy machine

afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.stop()));
});

afterAll(async () => {
  await closeDataSource(dataSource);
  await db.drop();
});

describe('job queue', () => {
  it('runs a job once and records it as completed', async () => {
    const queue = await startQueue();
    const runs: number[] = [];
    queue.work('work', async (job) => {
      runs.push(job.data.n);
    }, FAST);
    const sent = await queue.send('work', { n: 7 });
    expect(sent.created).toBe(true);
    await until(async () => (await queue.getJob('work', sent.id))?.state === 'completed', 15_000, 'the job to complete');
    expect(runs).toEqual([7]);
    expect(await queue.getJob('work', sent.id)).toMatchObject({ id: sent.id, name: 'work', data: { n: 7 }, retryCount: 0 });
  });

  it('inserts a job in the caller’s transaction: one rolled back never exists, one committed runs', async () => {
    const queue = await startQueue();
    const runs: number[] = [];
    queue.work('work', async (job) => {
      runs.push(job.data.n);
    }, FAST);

    let rolledBackId = '';
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.query('INSERT INTO app.payments (id, note) VALUES ($1, $2)', [1, 'rolled back']);
        rolledBackId = (await queue.send('work', { n: 1 }, { db: manager })).id;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    await runner.query('INSERT INTO app.payments (id, note) VALUES ($1, $2)', [2, 'committed']);
    const committed = await queue.send('work', { n: 2 }, { db: runner });
    // Not visible outside the transaction until it commits. (On the embedded PGlite another
    // connection waits for the transaction to end, so the check would wait for itself.)
    if (db.kind === 'postgres') expect(await queue.getJob('work', committed.id)).toBeNull();
    await runner.commitTransaction();
    await runner.release();

    await until(async () => (await queue.getJob('work', committed.id))?.state === 'completed', 15_000, 'the committed job');
    expect(runs).toEqual([2]);
    expect(rolledBackId).not.toBe('');
    expect(await queue.getJob('work', rolledBackId)).toBeNull();
    expect(await dataSource.query('SELECT id FROM app.payments ORDER BY id')).toEqual([{ id: 2 }]);
  });

  it('retries a failing job with growing pauses, then hands its data to the dead-letter queue and counts each outcome', async () => {
    const metrics = createServerMetrics('jobs-test');
    const queue = await startQueue({ metrics });
    const attempts: { at: number; retryCount: number }[] = [];
    const dead: number[] = [];
    queue.work('flaky', async (job) => {
      attempts.push({ at: Date.now(), retryCount: job.retryCount });
      throw new Error(`provider unavailable (${job.retryCount})`);
    }, FAST);
    queue.work('flaky.dead', async (job) => {
      dead.push(job.data.n);
    }, FAST);

    const sent = await queue.send('flaky', { n: 42 });
    await until(() => dead.length > 0, 20_000, 'the dead letter');

    // retryLimit 2: the first run and two retries; retryDelay 1 with backoff waits 1–2 s, then 2–4 s.
    expect(attempts.map((a) => a.retryCount)).toEqual([0, 1, 2]);
    const [first, second] = [attempts[1].at - attempts[0].at, attempts[2].at - attempts[1].at];
    expect(first).toBeGreaterThanOrEqual(900);
    expect(second).toBeGreaterThanOrEqual(1_900);
    expect(dead).toEqual([42]);
    expect(await queue.getJob('flaky', sent.id)).toMatchObject({
      state: 'failed',
      retryCount: 2,
      retryLimit: 2,
      output: { name: 'Error', message: 'provider unavailable (2)' },
    });

    await until(async () => /job_runs_total\{[^}]*queue="flaky\.dead"[^}]*outcome="completed"[^}]*\} 1/.test(await metrics.registry.metrics()));
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/job_runs_total\{[^}]*queue="flaky"[^}]*outcome="retried"[^}]*\} 2/);
    expect(text).toMatch(/job_runs_total\{[^}]*queue="flaky"[^}]*outcome="failed"[^}]*\} 1/);
    expect(text).toMatch(/job_run_duration_seconds_count\{[^}]*queue="flaky"[^}]*\} 3/);
  });

  it('holds a job sent with startAfter (seconds from now, or a time) until then', async () => {
    const queue = await startQueue();
    const ranAt = new Map<number, number>();
    queue.work('work', async (job) => {
      ranAt.set(job.data.n, Date.now());
    }, FAST);
    const sentAt = Date.now();
    await queue.send('work', { n: 1 }, { startAfter: 2 });
    const at = await queue.send('work', { n: 2 }, { startAfter: new Date(sentAt + 2_000) });
    expect((await queue.getJob('work', at.id))?.startAfter).toEqual(new Date(sentAt + 2_000));
    await queue.send('work', { n: 3 });
    await until(() => ranAt.size === 3, 15_000, 'all three jobs');
    expect(ranAt.get(3)! - sentAt).toBeLessThan(1_500);
    // The database's clock decides; allow it 100 ms of skew against this process.
    expect(ranAt.get(1)! - sentAt).toBeGreaterThanOrEqual(1_900);
    expect(ranAt.get(2)! - sentAt).toBeGreaterThanOrEqual(1_900);
  });

  it('keeps one job per singletonKey: a repeated send answers the existing job, before and after it ran', async () => {
    const queue = await startQueue();
    const runs: number[] = [];
    queue.work('work', async (job) => {
      runs.push(job.data.n);
    }, FAST);
    const first = await queue.send('work', { n: 1 }, { singletonKey: 'payment-1' });
    const again = await queue.send('work', { n: 2 }, { singletonKey: 'payment-1' });
    const other = await queue.send('work', { n: 3 }, { singletonKey: 'payment-2' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(first.id);

    await until(async () => (await queue.getJob('work', first.id))?.state === 'completed' && (await queue.getJob('work', other.id))?.state === 'completed');
    expect(await queue.send('work', { n: 4 }, { singletonKey: 'payment-1' })).toEqual({ id: first.id, created: false });
    expect(runs.sort()).toEqual([1, 3]);
  });

  it('aborts a run that outlives expireInSeconds and retries the job', async () => {
    const queue = await startQueue();
    const aborted: string[] = [];
    queue.work('work', async (job) => {
      if (job.retryCount > 0) return;
      // The first run hangs until the queue gives up on it.
      await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve()));
      aborted.push(String(job.signal.reason));
    }, FAST);
    const sent = await queue.send('work', { n: 1 }, { expireInSeconds: 1, retryDelay: 0 });
    await until(async () => (await queue.getJob('work', sent.id))?.state === 'completed', 15_000, 'the retried job');
    expect(aborted).toEqual([expect.stringContaining('longer than its 1 s expiry')]);
    expect(await queue.getJob('work', sent.id)).toMatchObject({ retryCount: 1 });
  });

  it('refuses to send before start, and a second handler for a queue', async () => {
    const queue = testQueue<TestJobs>(db, freshSchema(), testQueues);
    queues.push(queue);
    await expect(queue.send('work', { n: 1 })).rejects.toThrow('not running');
    queue.work('work', async () => undefined);
    expect(() => queue.work('work', async () => undefined)).toThrow('already has a handler');
  });
});

// Checked by tsc, never run: a job's data must fit its queue, and a dead-letter queue must take its jobs.
export function typeChecks(queue: JobQueue<TestJobs>, client: PoolClient): QueueCatalogue<{ a: { n: number }; b: { s: string }; c: { n: number } }> {
  // A pg client works as the caller's transaction too, like an EntityManager or a QueryRunner.
  void queue.send('work', { n: 1 }, { db: client });
  // @ts-expect-error: the jobs of `work` carry { n: number }
  void queue.send('work', { n: 'one' });
  // @ts-expect-error: there is no such queue
  void queue.send('nope', { n: 1 });
  return {
    // @ts-expect-error: b's jobs carry other data than a's
    a: { deadLetter: 'b' },
    b: {},
    c: { deadLetter: 'a' },
  };
}
