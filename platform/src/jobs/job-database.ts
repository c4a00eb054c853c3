import pg from 'pg';
import type { Logger } from '../logger';
import type { Queryable } from '../db/queryable';

/** What pg-boss runs its SQL through (its `db` option): one statement, autocommit or the caller's transaction. */
export interface JobSqlRunner {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * A connection in the middle of the caller's own transaction: a TypeORM
 * `EntityManager` (the one `dataSource.transaction` hands you) or `QueryRunner`,
 * or a `pg` client. Only `query` is used.
 */
export type JobTransaction = Queryable;

/** The job queue's own pool: pg-boss's SQL runner plus what the queue needs around it. */
export interface JobDatabase extends JobSqlRunner {
  /**
   * Runs `work` while this process holds the session advisory lock named `key`, taken
   * on a connection of its own, so that no other process runs it at the same time.
   */
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Waits for the statements in flight, then closes the pool; later statements are refused. */
  close(): Promise<void>;
}

/** Options for {@link openJobDatabase}. */
export interface JobDatabaseOptions {
  url: string;
  /** Connections at most. */
  poolSize: number;
  applicationName: string;
  logger: Logger;
  /** Told of every statement that fails; pg-boss swallows some failures (a failed fetch reads as no jobs). */
  onError?: (err: unknown) => void;
}

/**
 * A pg client that always has an error listener (as in createDataSource): a connection
 * the server ends while it is checked out would otherwise crash the process on an
 * unhandled 'error'; the statement in flight fails anyway and the pool drops the client.
 */
class ConnectionErrorTolerantClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/**
 * Opens the pool pg-boss runs on. Statements go through `pool.query`, which
 * discards a connection after any error: pg-boss sends some work as one
 * `BEGIN; …; COMMIT` string, and when a statement in it fails the session stays
 * in an aborted transaction. Kept, that connection would fail whatever ran on it
 * next, and on the embedded PGlite it would hold every other connection up.
 */
export function openJobDatabase(options: JobDatabaseOptions): JobDatabase {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
    Client: ConnectionErrorTolerantClient,
  });
  pool.on('error', (err) => options.logger.warn({ err }, 'job queue connection failed'));
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  return {
    executeSql(text, values) {
      if (closed) return Promise.reject(new Error('The job queue is stopped'));
      const result = track(pool.query(text, values));
      if (options.onError) result.catch(options.onError);
      return result;
    },
    async withLock(key, work) {
      if (closed) throw new Error('The job queue is stopped');
      const client = await track(pool.connect());
      let failure: Error | undefined;
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        try {
          return await work();
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
        }
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
        throw err;
      } finally {
        // A connection whose unlock may not have run is closed, which releases the lock.
        client.release(failure);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await pool.end();
    },
  };
}

/** Adapts the caller's transaction to pg-boss's SQL runner, so a job is inserted in that transaction. */
export function transactionSqlRunner(transaction: JobTransaction): JobSqlRunner {
  return {
    async executeSql(text, values) {
      return { rows: rowsOf(await transaction.query(text, values)) };
    },
  };
}

/** TypeORM's `query` resolves with the rows of an INSERT … RETURNING; `pg` with a result holding them. */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  if (typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows)) return result.rows;
  return [];
}
