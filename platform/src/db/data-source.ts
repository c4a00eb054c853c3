import pg from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

/**
 * A pg client that always has an error listener. A connection the server ends
 * (a restart, `pg_terminate_backend`, a failover) emits 'error', sometimes twice;
 * while the client is checked out, or after pg-pool's idle listener has removed
 * itself, nobody else listens and Node would crash the process on the unhandled
 * event. The client is unusable either way: the query in flight fails with the
 * error, and the pool discards the client when it is released.
 */
class ConnectionErrorTolerantClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** Options for {@link createDataSource}. */
export interface DataSourceOptions {
  /** PostgreSQL URL (real server or the embedded one). */
  url: string;
  /** The PostgreSQL schema this subgraph owns; its tables live nowhere else. */
  schema: string;
  entities: MixedList<EntitySchema | Function>;
  migrations: MixedList<Function>;
  /** Pool size; default 10. */
  poolSize?: number;
  /** Statement timeout in ms; default 10 s. */
  statementTimeoutMs?: number;
  /** Longest wait for a row or table lock, in ms (`lock_timeout`); default none. */
  lockTimeoutMs?: number;
}

/**
 * One TypeORM DataSource per subgraph, confined to its own schema. Schema changes
 * only come from migrations (`synchronize` is never on).
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    poolSize: options.poolSize ?? 10,
    extra: {
      Client: ConnectionErrorTolerantClient,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      ...(options.lockTimeoutMs ? { lock_timeout: options.lockTimeoutMs } : {}),
      connectionTimeoutMillis: 5_000,
      application_name: `meridian-${options.schema}`,
    },
  });
}

/** Initialises the DataSource, creating its schema first so the migrations table can live in it. */
export async function initializeDataSource(dataSource: DataSource, runMigrations: boolean): Promise<void> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const schema = (dataSource.options as { schema?: string }).schema;
  if (schema) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  if (runMigrations) await dataSource.runMigrations({ transaction: 'each' });
}

/** Closes the DataSource if it is open. */
export async function closeDataSource(dataSource: DataSource): Promise<void> {
  if (dataSource.isInitialized) await dataSource.destroy();
}
