import { Pool } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@meridian/platform';

// Many connections at once against the embedded PostgreSQL: every query must run with its
// own parameters, and a transaction must see only its own connection's statements.
let pg: EmbeddedPostgres;
let pool: Pool;
beforeAll(async () => {
  pg = await startEmbeddedPostgres({ dataDir: 'memory://', maxConnections: 40 });
  pool = new Pool({ connectionString: pg.url, max: 30 });
  await pool.query('CREATE TABLE t (id int PRIMARY KEY, owner text NOT NULL, note text NOT NULL)');
}, 120_000); // the WebAssembly PostgreSQL starts in seconds alone, far slower beside a full suite
afterAll(async () => {
  await pool.end();
  await pg.stop();
});

it('keeps every connection’s parameterised queries and transactions apart under concurrency', async () => {
  const tasks = Array.from({ length: 60 }, async (_, i) => {
    if (i % 2 === 0) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO t (id, owner, note) VALUES ($1, $2, $3)', [i, `tx-${i}`, `note-${i}`]);
        const { rows } = await client.query('SELECT owner, note FROM t WHERE id = $1', [i]);
        await client.query('COMMIT');
        return rows[0];
      } finally {
        client.release();
      }
    }
    await pool.query('INSERT INTO t (id, owner, note) VALUES ($1, $2, $3)', [i, `plain-${i}`, `note-${i}`]);
    return (await pool.query('SELECT owner, note FROM t WHERE id = $1', [i])).rows[0];
  });
  const rows = await Promise.all(tasks);
  rows.forEach((row, i) => expect(row).toEqual({ owner: `${i % 2 === 0 ? 'tx' : 'plain'}-${i}`, note: `note-${i}` }));
  expect((await pool.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(60);
});

it('rolls back a transaction whose connection disappears, and keeps serving the others', async () => {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query('INSERT INTO t (id, owner, note) VALUES (1000, $1, $2)', ['lost', 'lost']);
  client.release(new Error('drop this connection'));
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM t WHERE id = 1000');
  expect(rows[0].n).toBe(0);
});
