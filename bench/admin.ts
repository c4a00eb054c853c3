// What every benchmark does on the PostgreSQL server before and after its run: create and drop its
// own database, read the server's version and settings, with one short-lived admin connection;
// and, for those that run on Redis, read its version.
import { Client } from 'pg';
import { connectRedis } from '@meridian/platform';

/** Runs `run` on a connection to `url` named `meridian-bench`, closed afterwards. */
export async function withAdmin<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'meridian-bench' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The server and its settings, refusing an embedded PGlite served over the wire. */
export async function inspectPostgres(base: string) {
  return withAdmin(base, async (admin) => {
    const { rows: v } = await admin.query<{ version: string }>(`SELECT version()`);
    if (/PGlite|emscripten/i.test(v[0].version)) {
      throw new Error(
        `${base} is an embedded PGlite (${v[0].version.slice(0, 40)}…): it runs one statement at a time, so the benchmark would measure its queue. Point DATABASE_URL at a real PostgreSQL.`,
      );
    }
    const { rows } = await admin.query(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method')`);
    const { rows: short } = await admin.query(`SHOW server_version`);
    return { version: `PostgreSQL ${String(short[0].server_version)}`, settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])) as Record<string, string> };
  });
}

/** Redis's version, refusing to run without Redis: the BFF's rate limits and the event bus run on it in production. */
export async function inspectRedis(url: string): Promise<string> {
  const { client } = await connectRedis({ url }).catch((err: unknown) => {
    throw new Error(`Redis at ${url} could not be reached (${(err as Error).message}); the benchmark runs on Redis as production does. Set REDIS_URL.`);
  });
  try {
    return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } finally {
    await client.quit().catch(() => undefined);
  }
}
