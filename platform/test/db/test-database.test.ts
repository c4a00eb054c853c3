import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  closeDataSource,
  createDataSource,
  initializeDataSource,
  mapPostgresError,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';

const SCHEMA = 'widgets';

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "${SCHEMA}"."widget" ("id" integer PRIMARY KEY, "name" text NOT NULL UNIQUE)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${SCHEMA}"."widget"`);
  }
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

// One database for the file: PGlite takes seconds to start, and each test below works in its own tables or schema.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('createTestDatabase', () => {
  it('gives a database that answers SQL, on the server the environment asks for', async () => {
    expect(db.kind).toBe(process.env.DATABASE_URL ? 'postgres' : 'pglite');
    const rows = await withClient(db.url, async (c) => (await c.query<{ answer: number }>('SELECT 6 * 7 AS answer')).rows);
    expect(rows).toEqual([{ answer: 42 }]);
  });

  it('keeps what one connection writes for the next one', async () => {
    await withClient(db.url, (c) => c.query('CREATE TABLE note (body text)').then(() => c.query("INSERT INTO note VALUES ('kept')")));
    const rows = await withClient(db.url, async (c) => (await c.query('SELECT body FROM note')).rows);
    expect(rows).toEqual([{ body: 'kept' }]);
  });

  it('gives each caller a database of its own, gone once dropped', async () => {
    const other = await createTestDatabase();
    try {
      expect(other.url).not.toBe(db.url);
      await withClient(other.url, (c) => c.query('CREATE TABLE only_here (id int)'));
      const found = await withClient(db.url, async (c) => (await c.query("SELECT to_regclass('public.only_here') AS t")).rows[0].t);
      expect(found).toBeNull();
    } finally {
      await other.drop();
    }
    await expect(withClient(other.url, (c) => c.query('SELECT 1'))).rejects.toThrow();
  });
});

describe('createDataSource and initializeDataSource', () => {
  it('creates its schema, keeps the migrations table in it, and runs each migration once', async () => {
    const options = { url: db.url, schema: SCHEMA, entities: [], migrations: [CreateWidgets1700000000000], poolSize: 2 };
    const first = createDataSource(options);
    try {
      await initializeDataSource(first, true);
      const [row] = await first.query(
        `SELECT to_regnamespace($1) IS NOT NULL AS schema, to_regclass($2) IS NOT NULL AS migrations, to_regclass($3) IS NOT NULL AS widget`,
        [SCHEMA, `"${SCHEMA}"."migrations"`, `"${SCHEMA}"."widget"`],
      );
      expect(row).toEqual({ schema: true, migrations: true, widget: true });
      // Nothing leaks into public.
      expect((await first.query(`SELECT to_regclass('public.migrations') AS t`))[0].t).toBeNull();
    } finally {
      await closeDataSource(first);
    }

    const again = createDataSource(options);
    try {
      await initializeDataSource(again, true);
      const applied = await again.query(`SELECT name FROM "${SCHEMA}"."migrations"`);
      expect(applied).toEqual([{ name: 'CreateWidgets1700000000000' }]);
    } finally {
      await closeDataSource(again);
    }
    expect(again.isInitialized).toBe(false);
  });

  it('creates the schema without running migrations when asked not to', async () => {
    const ds = createDataSource({ url: db.url, schema: 'empty_schema', entities: [], migrations: [CreateWidgets1700000000000] });
    try {
      await initializeDataSource(ds, false);
      const [row] = await ds.query(`SELECT to_regnamespace('empty_schema') IS NOT NULL AS schema, to_regclass('empty_schema.migrations') AS migrations`);
      expect(row).toEqual({ schema: true, migrations: null });
    } finally {
      await closeDataSource(ds);
    }
  });

  it('surfaces driver errors that mapPostgresError turns into domain errors', async () => {
    const ds = createDataSource({ url: db.url, schema: SCHEMA, entities: [], migrations: [CreateWidgets1700000000000] });
    try {
      await initializeDataSource(ds, true);
      await ds.query(`INSERT INTO "${SCHEMA}"."widget" (id, name) VALUES (1, 'gear')`);
      const duplicate = await ds.query(`INSERT INTO "${SCHEMA}"."widget" (id, name) VALUES (2, 'gear')`).catch((err: unknown) => err);
      expect(mapPostgresError(duplicate)?.code).toBe('CONFLICT');
      const missing = await ds.query(`INSERT INTO "${SCHEMA}"."widget" (id, name) VALUES (3, NULL)`).catch((err: unknown) => err);
      expect(mapPostgresError(missing)?.code).toBe('BAD_USER_INPUT');
    } finally {
      await closeDataSource(ds);
    }
  });
});

describe('startEmbeddedPostgres', () => {
  let embedded: EmbeddedPostgres;
  beforeAll(async () => {
    embedded = await startEmbeddedPostgres({ dataDir: 'memory://' });
  }, 120_000); // slow to start beside a full suite
  afterAll(() => embedded.stop());

  it('serves on a free loopback port', () => {
    const url = new URL(embedded.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
  });

  it('accepts two pg connections at once, which see each other’s writes', async () => {
    const a = new Client({ connectionString: embedded.url });
    const b = new Client({ connectionString: embedded.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      const [ra, rb] = await Promise.all([a.query('SELECT 1 AS n'), b.query('SELECT 2 AS n')]);
      expect(ra.rows).toEqual([{ n: 1 }]);
      expect(rb.rows).toEqual([{ n: 2 }]);

      await a.query('CREATE TABLE shared (v text)');
      await Promise.all([a.query("INSERT INTO shared VALUES ('from a')"), b.query("INSERT INTO shared VALUES ('from b')")]);
      const rows = (await b.query('SELECT v FROM shared ORDER BY v')).rows;
      expect(rows).toEqual([{ v: 'from a' }, { v: 'from b' }]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('never shows one connection the uncommitted writes of another', async () => {
    const a = new Client({ connectionString: embedded.url });
    const b = new Client({ connectionString: embedded.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('CREATE TABLE ledger (v int)');
      await a.query('BEGIN');
      await a.query('INSERT INTO ledger VALUES (1)');
      // PGlite is one backend: b waits while a holds its transaction, and must not read inside it.
      const whileOpen = b.query('SELECT count(*)::int AS n FROM ledger');
      await a.query('ROLLBACK');
      expect((await whileOpen).rows).toEqual([{ n: 0 }]);

      await a.query('BEGIN');
      await a.query('INSERT INTO ledger VALUES (2)');
      const afterCommit = b.query('SELECT count(*)::int AS n FROM ledger');
      await a.query('COMMIT');
      expect((await afterCommit).rows).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
