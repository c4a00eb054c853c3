import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EMBEDDED_POSTGRES_SETTINGS, startEmbeddedPostgres } from '@meridian/platform';

// PGlite starts in seconds alone, far slower beside a full suite; a new data directory also runs initdb.
const SLOW = 180_000;

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres settings', () => {
  it('runs with the small embedded buffer pool unless told otherwise', async () => {
    const pg = await startEmbeddedPostgres({ dataDir: 'memory://' });
    try {
      const [row] = await query<{ shared_buffers: string }>(pg.url, 'SHOW shared_buffers');
      expect(row.shared_buffers).toBe(EMBEDDED_POSTGRES_SETTINGS.shared_buffers);
    } finally {
      await pg.stop();
    }
  }, SLOW);

  it('applies the settings it is given', async () => {
    const pg = await startEmbeddedPostgres({ dataDir: 'memory://', settings: { shared_buffers: '8MB', work_mem: '2MB' } });
    try {
      expect(await query(pg.url, `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem') ORDER BY name`)).toEqual([
        { name: 'shared_buffers', setting: '1024', unit: '8kB' },
        { name: 'work_mem', setting: '2048', unit: 'kB' },
      ]);
    } finally {
      await pg.stop();
    }
  }, SLOW);
});

describe('startEmbeddedPostgres on a data directory', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-pglite-')), 'pglite');
  });
  afterEach(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('creates a new directory (initdb in a child process) and finds its data again after a restart', async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
      await query(first.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('written before the restart')`);
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'written before the restart' }]);
      const [row] = await query<{ shared_buffers: string }>(second.url, 'SHOW shared_buffers');
      expect(row.shared_buffers).toBe(EMBEDDED_POSTGRES_SETTINGS.shared_buffers);
    } finally {
      await second.stop();
    }
  }, SLOW);

  it('fails with its own message when initdb fails, and leaves no half-started database', async () => {
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'global'), 'a file where initdb writes a directory');
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(`Could not create the embedded PostgreSQL in ${dataDir}`);
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(false);
  }, SLOW);
});
