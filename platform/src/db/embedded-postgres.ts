import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { servePglite } from './pglite-wire-server';

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory the database persists to; `memory://` keeps it in memory. */
  dataDir: string;
  /** TCP port to serve on; default 0 (any free port). */
  port?: number;
  /** Connections allowed at once: at least the sum of every pool's size. Default 16. */
  maxConnections?: number;
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
  if (!options.dataDir.startsWith('memory://')) fs.mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
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
