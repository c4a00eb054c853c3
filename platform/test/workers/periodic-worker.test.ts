import { createLogger, createPeriodicWorker, createServerMetrics } from '@meridian/platform';

const logger = createLogger({ service: 'worker-test', level: 'silent', pretty: false });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds, for at most 10 s: the machine may be busy, so no fixed wait. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done(); ) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(5);
  }
}

describe('periodic worker', () => {
  it('runs a pass at once and then after each pause, never two at a time, and stop waits for the pass in progress', async () => {
    let active = 0;
    let most = 0;
    let passes = 0;
    const worker = createPeriodicWorker({
      name: 'test',
      intervalMs: 5,
      logger,
      run: async () => {
        active += 1;
        most = Math.max(most, active);
        await sleep(10);
        passes += 1;
        active -= 1;
      },
    });
    worker.start();
    worker.start();
    await until(() => passes >= 3);
    await worker.stop();
    const after = passes;
    expect(active).toBe(0);
    expect(most).toBe(1);
    expect(after).toBeGreaterThanOrEqual(3);
    await sleep(40);
    expect(passes).toBe(after);
  });

  it('backs off after failures, doubling up to the most, and returns to the interval after a success', async () => {
    const starts: number[] = [];
    let fail = 4;
    const worker = createPeriodicWorker({
      name: 'flaky',
      intervalMs: 5,
      backoffMs: 20,
      maxBackoffMs: 60,
      logger,
      run: async () => {
        starts.push(Date.now());
        if (fail-- > 0) throw new Error('not yet');
      },
    });
    worker.start();
    await until(() => starts.length >= 7);
    await worker.stop();
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    // Four failures: pauses of 20, 40, 60 (capped), 60; then the interval again.
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(58);
    expect(gaps[3]).toBeGreaterThanOrEqual(58);
    expect(Math.min(...gaps.slice(4))).toBeLessThan(40);
  });

  it('counts passes and their outcome in the server metrics', async () => {
    const metrics = createServerMetrics('worker-test');
    let n = 0;
    const worker = createPeriodicWorker({ name: 'counted', intervalMs: 1_000, logger, metrics, run: async () => {
      if (n++ === 1) throw new Error('once');
      return n;
    } });
    await expect(worker.runOnce()).resolves.toBe(1);
    await expect(worker.runOnce()).rejects.toThrow('once');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/worker_runs_total\{[^}]*worker="counted"[^}]*outcome="ok"[^}]*\} 1/);
    expect(text).toMatch(/worker_runs_total\{[^}]*worker="counted"[^}]*outcome="failed"[^}]*\} 1/);
    expect(text).toMatch(/worker_run_duration_seconds_count\{[^}]*worker="counted"[^}]*\} 2/);
  });
});
