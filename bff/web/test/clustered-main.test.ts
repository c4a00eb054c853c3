import path from 'node:path';
import { spawnServer } from '@meridian/platform/testing';

// The web BFF's own entry point, as the container runs it (node --import tsx src/main.ts).
jest.setTimeout(120_000);

describe('the web BFF with BFF_WORKERS=2 and no REDIS_URL', () => {
  it('refuses to start rather than split cookie sessions and limits between workers', async () => {
    const { REDIS_URL: _unset, ...env } = process.env;
    const bff = spawnServer('src/main.ts', { cwd: path.resolve(__dirname, '..'), env: { ...env, LOG_LEVEL: 'info', BFF_WORKERS: '2', WEB_BFF_PORT: '0', WEB_BFF_METRICS_PORT: '0' } });
    try {
      const listening = bff.waitFor('listening', (l) => l.msg.startsWith('Server listening')).then(() => 'listening');
      expect(await Promise.race([bff.exited, listening.catch(() => bff.exited)])).toBe(1);
      expect(bff.output()).toMatch(/BFF_WORKERS: 2 workers need REDIS_URL/);
    } finally {
      if (bff.child.exitCode === null) bff.child.kill('SIGKILL');
    }
  });
});
