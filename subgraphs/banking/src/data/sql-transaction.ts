import { sqlState } from '@meridian/platform';
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

/** A pooled connection: its statements commit on their own, unless run in {@link Connection.transaction}. */
export interface Connection extends Sql {
  /** Runs `work` in a transaction on this connection; a failed COMMIT is rethrown as is (the caller cannot know whether it took effect). */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/**
 * Runs `work` on a connection of the DataSource's pool, talking to pg
 * directly: the ledger's hot path sends a handful of statements per batch and
 * TypeORM's query runner would add its own bookkeeping to each. A connection
 * that was lost (an error without a SQLSTATE that no ROLLBACK answered, or a
 * ROLLBACK that failed) is destroyed, not returned to the pool.
 */
export async function onConnection<T>(db: DataSource, work: (connection: Connection) => Promise<T>): Promise<T> {
  const [client, release] = await (db.driver as unknown as PooledDriver).obtainMasterConnection();
  const query = async (text: string, params?: unknown[]) => (await client.query(text, params)).rows;
  let answered = false;
  let lost: unknown;
  const connection: Connection = {
    query,
    async transaction(work) {
      await client.query('BEGIN');
      try {
        const result = await work({ query });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
          answered = true;
        } catch (error) {
          lost = error;
        }
        throw err;
      }
    },
  };
  try {
    const result = await work(connection);
    release();
    return result;
  } catch (err) {
    if (lost === undefined && (answered || sqlState(err) !== undefined)) release();
    else release(lost ?? err);
    throw err;
  }
}
