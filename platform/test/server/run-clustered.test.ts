import path from 'node:path';
import { restartDelay } from '@meridian/platform';
import { getFresh, isProcessRunning, listeningWorkers, metricSamples, spawnServer, type SpawnedServer } from '@meridian/platform/testing';
import { closedLocalPort } from '../helpers/network';

// Real processes: a primary and its workers, started the way every main starts (runMain), each compiling TypeScript.
jest.setTimeout(180_000);

const root = path.resolve(__dirname, '../../..');
const fixture = path.join(__dirname, 'fixtures/clustered-server.ts');

interface Running extends SpawnedServer {
  port: number;
  metricsPort: number;
}

async function start(workers: number, options: { detached?: boolean } = {}): Promise<Running> {
  const port = await closedLocalPort();
  const metricsPort = await closedLocalPort();
  const env = { ...process.env, LOG_LEVEL: 'info', PORT: String(port), METRICS_PORT: String(metricsPort), WORKERS: String(workers), SLOW_MS: '1500' };
  return { ...spawnServer(fixture, { cwd: root, env, detached: options.detached }), port, metricsPort };
}

async function answeringPid(port: number): Promise<number> {
  const { status, body } = await getFresh(port, '/pid');
  expect(status).toBe(200);
  return (JSON.parse(body) as { pid: number }).pid;
}

/** Asks until `wanted` holds for the pids that answered (at most 100 requests); returns how often each answered. */
async function answersUntil(port: number, wanted: (pids: Map<number, number>) => boolean): Promise<Map<number, number>> {
  const answers = new Map<number, number>();
  for (let i = 0; i < 100 && !wanted(answers); i++) {
    const pid = await answeringPid(port);
    answers.set(pid, (answers.get(pid) ?? 0) + 1);
  }
  return answers;
}

describe('restartDelay', () => {
  it('doubles with each worker in a row that died young, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((deaths) => restartDelay(deaths, 1_000, 30_000))).toEqual([1_000, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(restartDelay(50, 1_000, 30_000)).toBe(30_000);
  });
});

describe('a server run with two workers (runMain, node:cluster)', () => {
  let running: Running;
  let workers: number[];

  beforeAll(async () => {
    running = await start(2);
    workers = await listeningWorkers(running, 2);
  });

  afterAll(async () => {
    if (running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
  });

  it('serves one port from both workers, the primary serving none of it', async () => {
    const answers = await answersUntil(running.port, (pids) => pids.size >= 2);
    expect([...answers.keys()].sort()).toEqual([...workers].sort());
    expect(answers.has(running.child.pid!)).toBe(false);
  });

  it("serves on the metrics port the sum of every worker's metrics", async () => {
    const before = metricSamples((await getFresh(running.metricsPort, '/metrics')).body, 'fixture_answers_total');
    const answers = await answersUntil(running.port, (pids) => pids.size >= 2);
    const page = await getFresh(running.metricsPort, '/metrics');
    expect(page.status).toBe(200);
    const after = metricSamples(page.body, 'fixture_answers_total');
    // Each worker counts its own answers, labelled with its pid: the primary's page has both, each up to date.
    for (const pid of workers) {
      const key = `pid="${pid}",service="cluster-fixture"`;
      expect(answers.get(pid)).toBeGreaterThan(0);
      expect(after.get(key)).toBe((before.get(key) ?? 0) + answers.get(pid)!);
    }
    // A metric both workers have is summed into one sample, not listed once per worker.
    const requests = [...metricSamples(page.body, 'http_server_request_duration_seconds_count').entries()].filter(([labels]) => labels.includes('route="/pid"'));
    expect(requests).toHaveLength(1);
    expect(requests[0][1]).toBeGreaterThanOrEqual([...answers.values()].reduce((a, b) => a + b, 0));
  });

  it('replaces a worker that dies, waiting longer each time one dies young', async () => {
    const [victim, survivor] = workers;
    const mark = running.lines.length;
    process.kill(victim, 'SIGKILL');
    await running.waitFor('the death logged', (l) => l.msg === 'worker died; starting another' && l.worker === victim, { after: mark });
    let [replacement] = await listeningWorkers(running, 1, mark);
    expect(isProcessRunning(victim)).toBe(false);
    const answers = await answersUntil(running.port, (pids) => pids.has(replacement) && pids.has(survivor));
    expect(answers.has(replacement)).toBe(true);
    expect(answers.has(victim)).toBe(false);

    // Replacements killed as soon as they listen died young: each next one waits twice as long.
    // (Whether the first victim counted as young depends on how long it ran, so the doubling is read from the next two.)
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      const again = running.lines.length;
      process.kill(replacement, 'SIGKILL');
      const died = await running.waitFor('a replacement\'s death logged', (l) => l.msg === 'worker died; starting another' && l.worker === replacement, { after: again });
      delays.push(died.restartInMs as number);
      [replacement] = await listeningWorkers(running, 1, again);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(1_000);
    expect(delays[1]).toBe(2 * delays[0]);
    workers = [survivor, replacement];
  });

  it('on SIGTERM lets every worker finish its requests, then all of them exit and the primary exits 0', async () => {
    const mark = running.lines.length;
    const slow = getFresh(running.port, '/slow');
    const started = await running.waitFor('the slow request started', (l) => l.msg === 'slow request started', { after: mark });
    running.child.kill('SIGTERM');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).pid).toBe(started.worker);
    expect(await running.exited).toBe(0);
    for (const pid of workers) {
      expect(isProcessRunning(pid)).toBe(false);
      expect(running.lines.some((l) => l.pid === pid && l.msg === 'shutting down')).toBe(true);
    }
  });
});

describe('Ctrl-C on a clustered server', () => {
  it('stops every process once: workers drain instead of taking the second signal as "force"', async () => {
    const running = await start(2, { detached: true });
    try {
      const workers = await listeningWorkers(running, 2);
      const mark = running.lines.length;
      const slow = getFresh(running.port, '/slow');
      await running.waitFor('the slow request started', (l) => l.msg === 'slow request started', { after: mark });
      // A terminal sends SIGINT to the whole foreground process group: the primary and every worker.
      process.kill(-running.child.pid!, 'SIGINT');
      expect((await slow).status).toBe(200);
      expect(await running.exited).toBe(0);
      for (const pid of workers) expect(isProcessRunning(pid)).toBe(false);
    } finally {
      if (running.child.exitCode === null) process.kill(-running.child.pid!, 'SIGKILL');
    }
  });
});

describe('a server run with one worker (the default)', () => {
  it('forks nothing and serves metrics itself', async () => {
    const running = await start(1);
    try {
      await running.waitFor('metrics listening', (l) => l.msg === `Server listening at http://127.0.0.1:${running.metricsPort}`);
      expect(await answeringPid(running.port)).toBe(running.child.pid);
      const page = await getFresh(running.metricsPort, '/metrics');
      expect(metricSamples(page.body, 'fixture_answers_total').get(`pid="${running.child.pid}",service="cluster-fixture"`)).toBe(1);
      expect(running.lines.some((l) => l.msg === 'primary started')).toBe(false);
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    } finally {
      if (running.child.exitCode === null) running.child.kill('SIGKILL');
    }
  });
});
