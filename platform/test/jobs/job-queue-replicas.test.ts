import type { DataSource } from 'typeorm';
import { closeDataSource, createDataSource, initializeDataSource, type JobQueue, type JobQueueOptions } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import { settleWithin } from '../helpers/settle-within';
import { FAST, freshSchema, gate, testQueue, testQueues, until, type TestJobs } from './job-fixtures';

// Restarts, replicas and shutdown: what makes the queue durable, on the real PostgreSQL or the embedded PGlite.
let db: TestDatabase;
const queues: JobQueue<TestJobs>[] = [];

/** A queue on `schema` (not started), stopped after the test. */
function queueOn(schema: string, extra: Partial<JobQueueOptions<TestJobs>> = {}): JobQueue<TestJobs> {
  const queue = testQueue<TestJobs>(db, schema, testQueues, extra);
  queues.push(queue);
  return queue;
}

beforeAll(async () => {
  db = await createTestDatabase();
}, 120_000); // starting an embedded PGlite takes a while on a busy machine

afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.stop({ timeoutMs: 1_000 })));
});

afterAll(async () => {
  await db.drop();
});

describe('job queue across restarts and replicas', () => {
  it('runs once, after a restart, a job queued before the queue stopped', async () => {
    const schema = freshSchema();
    const before = queueOn(schema);
    await before.start();
    const sent = await before.send('work', { n: 1 });
    await before.stop();

    const runs: number[] = [];
    const after = queueOn(schema);
    after.work('work', async (job) => {
      runs.push(job.data.n);
    }, FAST);
    await after.start();
    await until(async () => (await after.getJob('work', sent.id))?.state === 'completed', 15_000, 'the job after the restart');
    expect(runs).toEqual([1]);
  });

  it('two replicas started at once on a fresh schema run each of many jobs exactly once', async () => {
    const schema = freshSchema();
    const replicas = [queueOn(schema), queueOn(schema)];
    // Both create pg-boss's tables and the three queues at the same moment.
    await Promise.all(replicas.map((replica) => replica.start()));

    const runs = new Map<number, number>();
    const byReplica = [0, 0];
    replicas.forEach((replica, r) =>
      replica.work('work', async (job) => {
        byReplica[r] += 1;
        runs.set(job.data.n, (runs.get(job.data.n) ?? 0) + 1);
        // Each replica's first job waits until the other has one too, so both surely take part.
        if (byReplica[r] === 1) await until(() => byReplica.every((count) => count > 0), 10_000, 'the other replica');
      }, { ...FAST, batchSize: 5 }),
    );
    const total = 200;
    for (let n = 0; n < total; n++) await replicas[n % 2].send('work', { n });
    await until(() => runs.size === total, 30_000, `all ${total} jobs`);

    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(byReplica[0] + byReplica[1]).toBe(total);
    expect(Math.min(...byReplica)).toBeGreaterThan(0);
  }, 60_000);

  it('stop waits for a handler that is running, and its job completes', async () => {
    const schema = freshSchema();
    const queue = queueOn(schema);
    const started = gate();
    const release = gate();
    queue.work('work', async () => {
      started.open();
      await release.promise;
    }, FAST);
    await queue.start();
    const sent = await queue.send('work', { n: 1 });
    await started.promise;

    const stopping = queue.stop({ timeoutMs: 10_000 });
    expect((await settleWithin(stopping, 300)).status).toBe('pending');
    release.open();
    expect((await settleWithin(stopping, 5_000)).status).toBe('resolved');

    const inspector = queueOn(schema);
    await inspector.start();
    expect(await inspector.getJob('work', sent.id)).toMatchObject({ state: 'completed', retryCount: 0 });
  });

  it('stop gives up on a handler after its timeout: the run is aborted and failed, and the job runs again after a restart', async () => {
    const schema = freshSchema();
    const first = queueOn(schema);
    const started = gate();
    let aborted = false;
    first.work('work', async (job) => {
      started.open();
      await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve()));
      aborted = true;
    }, FAST);
    await first.start();
    const sent = await first.send('work', { n: 1 }, { retryDelay: 0 });
    await started.promise;
    expect((await settleWithin(first.stop({ timeoutMs: 300 }), 5_000)).status).toBe('resolved');
    expect(aborted).toBe(true);

    const second = queueOn(schema);
    const reruns: number[] = [];
    second.work('work', async (job) => {
      reruns.push(job.retryCount);
    }, FAST);
    await second.start();
    await until(async () => (await second.getJob('work', sent.id))?.state === 'completed', 15_000, 'the rerun');
    expect(reruns).toEqual([1]);
    expect(await second.getJob('work', sent.id)).toMatchObject({ retryCount: 1 });
  });

  describe('with a handler that holds a transaction', () => {
    let dataSource: DataSource;
    beforeAll(async () => {
      dataSource = createDataSource({ url: db.url, schema: 'app', entities: [], migrations: [], poolSize: 2 });
      await initializeDataSource(dataSource, false);
      await dataSource.query('CREATE TABLE app.steps (n int PRIMARY KEY)');
    });
    afterAll(async () => {
      await closeDataSource(dataSource);
    });

    // The embedded PGlite makes every other connection wait while one holds a transaction:
    // maintenance and the polls of other queues must wait their turn, never wait for each other.
    it('queues the next step in its transaction while maintenance and other polls run, and nothing stalls', async () => {
      const queue = queueOn(freshSchema(), { maintenanceIntervalSeconds: 1 });
      const done: number[] = [];
      queue.work('work', async (job) => {
        await dataSource.transaction(async (manager) => {
          await manager.query('INSERT INTO app.steps (n) VALUES ($1)', [job.data.n]);
          if (job.data.n < 3) await queue.send('work', { n: job.data.n + 1 }, { db: manager });
          // Long enough for a maintenance pass and many polls to queue up behind it.
          await new Promise((resolve) => setTimeout(resolve, 600));
        });
        done.push(job.data.n);
      }, FAST);
      queue.work('flaky', async () => undefined, FAST);
      queue.work('flaky.dead', async () => undefined, FAST);
      await queue.start();
      await queue.send('work', { n: 1 });
      await until(() => done.length === 3, 20_000, 'three steps');
      expect(done).toEqual([1, 2, 3]);
      expect(await dataSource.query('SELECT n FROM app.steps ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    });
  });
});
