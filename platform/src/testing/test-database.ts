import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../db';

/** A database of a test's own, dropped when the test is done. */
export interface TestDatabase {
  url: string;
  /** 'postgres' when DATABASE_URL pointed at a real server, 'pglite' otherwise. */
  kind: 'postgres' | 'pglite';
  drop(): Promise<void>;
}

/**
 * A fresh database per test file: on a real server (DATABASE_URL) a new
 * database named after the Jest worker, otherwise an in-memory PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const embedded = await startEmbeddedPostgres({ dataDir: 'memory://', maxConnections: 32 });
    return { url: embedded.url, kind: 'pglite', drop: embedded.stop };
  }
  const name = `meridian_t${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'postgres',
    async drop() {
      const client = new Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
