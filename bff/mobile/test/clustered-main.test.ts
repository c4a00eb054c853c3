import net from 'node:net';
import path from 'node:path';
import { getFresh, isProcessRunning, listeningWorkers, metricSamples, spawnServer } from '@meridian/platform/testing';

// The mobile BFF's own entry point, as the container runs it (node --import tsx src/main.ts), with BFF_WORKERS=2.
jest.setTimeout(180_000);

const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;
const workspace = path.resolve(__dirname, '..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startMobileBff(env: NodeJS.ProcessEnv) {
  const port = await freePort();
  const metricsPort = await freePort();
  const server = spawnServer('src/main.ts', {
    cwd: workspace,
    env: { ...env, LOG_LEVEL: 'info', BFF_WORKERS: '2', MOBILE_BFF_PORT: String(port), MOBILE_BFF_METRICS_PORT: String(metricsPort) },
  });
  return { ...server, port, metricsPort };
}

describe('the mobile BFF with BFF_WORKERS=2 and no REDIS_URL', () => {
  it('refuses to start, saying that the workers would split sessions and limits', async () => {
    const { REDIS_URL: _unset, ...env } = process.env;
    const bff = await startMobileBff(env);
    try {
      const listening = bff.waitFor('listening', (l) => l.msg.startsWith('Server listening')).then(() => 'listening');
      expect(await Promise.race([bff.exited, listening.catch(() => bff.exited)])).toBe(1);
      expect(bff.output()).toMatch(/BFF_WORKERS: 2 workers need REDIS_URL/);
    } finally {
      if (bff.child.exitCode === null) bff.child.kill('SIGKILL');
    }
  });
});

describeRedis(REDIS_URL ? 'the mobile BFF with BFF_WORKERS=2 and Redis' : 'the mobile BFF with BFF_WORKERS=2 and Redis (skipped: REDIS_URL not set)', () => {
  it('serves its port from two workers, sums their metrics on the metrics port, and stops both on SIGTERM', async () => {
    const bff = await startMobileBff(process.env);
    try {
      const workers = await listeningWorkers(bff, 2);
      const requests = 12;
      for (let i = 0; i < requests; i++) expect((await getFresh(bff.port, '/health/live')).status).toBe(200);
      expect((await getFresh(bff.port, '/metrics')).status).toBe(404);

      const page = await getFresh(bff.metricsPort, '/metrics');
      expect(page.status).toBe(200);
      const live = [...metricSamples(page.body, 'http_server_request_duration_seconds_count').entries()].filter(([labels]) => labels.includes('route="/health/live"'));
      // One sample for both workers, counting (once the last response's hook has run) every request.
      expect(live).toHaveLength(1);
      expect(live[0][1]).toBeGreaterThanOrEqual(requests - 1);
      expect(live[0][0]).toContain('service="bff-mobile"');
      // The stalest worker's copy of the ended-sessions list, not a sum.
      expect(metricSamples(page.body, 'session_revocations_sync_age_seconds').size).toBe(1);

      bff.child.kill('SIGTERM');
      expect(await bff.exited).toBe(0);
      for (const pid of workers) expect(isProcessRunning(pid)).toBe(false);
    } finally {
      if (bff.child.exitCode === null) bff.child.kill('SIGKILL');
    }
  });
});
