import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { servePglite } from './pglite-wire-server';

/**
 * PostgreSQL settings for the embedded database, on top of PGlite's own. With the default
 * 128 MB buffer pool its WebAssembly memory, which never shrinks, grows to some 190 MB,
 * 150 MB of it resident; with 16 MB it stays at 128 MB, about 35 MB resident. The demo
 * data's tables are a few MB, and the operating system caches the files beneath the pool.
 */
export const EMBEDDED_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory the database persists to; `memory://` keeps it in memory. */
  dataDir: string;
  /** TCP port to serve on; default 0 (any free port). */
  port?: number;
  /** Connections allowed at once: at least the sum of every pool's size. Default 16. */
  maxConnections?: number;
  /** PostgreSQL settings (`-c name=value` at start); default {@link EMBEDDED_POSTGRES_SETTINGS}. */
  settings?: Readonly<Record<string, string>>;
}

/** A running embedded PostgreSQL and the URL `pg` connects to. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves PGlite over the PostgreSQL wire protocol so the same `pg` driver and SQL
 * run in both modes. PGlite runs one unit of work at a time and, while one
 * connection holds a transaction, the others wait: fine for the embedded
 * default, never for benchmarks.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  if (!options.dataDir.startsWith('memory://')) await initializeDataDir(options.dataDir);
  const settings = Object.entries(options.settings ?? EMBEDDED_POSTGRES_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const db = await PGlite.create(options.dataDir, { startParams: [...PGlite.defaultStartParams, ...settings] });
  const server = await servePglite(db, { port: options.port ?? 0, maxConnections: options.maxConnections ?? 16 });
  const url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
  return {
    url,
    async stop() {
      await server.close();
      await db.close();
    },
  };
}

const run = promisify(execFile);
const INITDB = `const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2]).then((db) => db.close()).catch((err) => { console.error(err); process.exit(1); });`;

/**
 * Creates a new data directory in a short-lived child process. initdb runs a second
 * PostgreSQL inside PGlite and peaks at several hundred MB; in this process most of
 * that would stay allocated for good, in a child it goes back when the child exits.
 */
async function initializeDataDir(dataDir: string): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  try {
    await run(process.execPath, ['-e', INITDB, require.resolve('@electric-sql/pglite'), dataDir]);
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`Could not create the embedded PostgreSQL in ${dataDir}${stderr ? `:\n${stderr}` : ''}`, { cause: err });
  }
}
