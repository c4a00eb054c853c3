import type { DataSource } from 'typeorm';

/** A pooled pg client, as much of it as a transaction needs. */
interface PoolClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** TypeORM's PostgresDriver hands out its pool's clients; a release with an error destroys the client. */
interface PooledDriver {
  obtainMasterConnection(): Promise<[PoolClient, (err?: unknown) => void]>;
}

/** Runs statements on one connection and returns their rows. */
export interface Sql {
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * Runs `work` in a transaction on a connection of the DataSource's pool,
 * talking to pg directly: the ledger's hot path sends a handful of statements
 * per batch and TypeORM's query runner would add its own bookkeeping to each.
 * A connection whose ROLLBACK fails (it was lost) is destroyed, not returned
 * to the pool. A failed COMMIT is rethrown as is: the caller cannot know
 * whether it took effect.
 */
export async function inTransaction<T>(db: DataSource, work: (sql: Sql) => Promise<T>): Promise<T> {
  const [client, release] = await (db.driver as unknown as PooledDriver).obtainMasterConnection();
  const sql: Sql = { query: async (text, params) => (await client.query(text, params)).rows };
  try {
    await client.query('BEGIN');
    const result = await work(sql);
    await client.query('COMMIT');
    release();
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
      release();
    } catch (lost) {
      release(lost);
    }
    throw err;
  }
}
