import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

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
      statement_timeout: options.statementTimeoutMs ?? 10_000,
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
