import { createDataSource, initializeDataSource } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import type { DataSource } from 'typeorm';
import { verifyAuditChain } from '../../src';
import { CreateIdentity1763900000000 } from '../../src/data/migrations/1763900000000-create-identity';
import { SignInAttempts1765000000000 } from '../../src/data/migrations/1765000000000-sign-in-attempts';
import { AuditHashChain1766300000000 } from '../../src/data/migrations/1766300000000-audit-hash-chain';

// A database whose audit log was written before it was chained: the migration
// chains every entry already there, in id order, and the chain verifies.

let db: TestDatabase;
const opened: DataSource[] = [];

async function migrated(migrations: Function[]): Promise<DataSource> {
  const ds = createDataSource({ url: db.url, schema: 'identity', entities: [], migrations, poolSize: 2 });
  opened.push(ds);
  await initializeDataSource(ds, true);
  return ds;
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const ds of opened) if (ds.isInitialized) await ds.destroy();
  await db.drop();
});

it('chains the entries written before it in id order, and the chain verifies', async () => {
  const before = await migrated([CreateIdentity1763900000000, SignInAttempts1765000000000]);
  const insert = `INSERT INTO identity.audit_events (type, user_id, ip, user_agent, request_id, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`;
  for (let i = 0; i < 7; i++) {
    await before.query(insert, ['LOGIN_SUCCEEDED', null, i % 2 ? '203.0.113.9' : null, 'MeridianApp/1.0', `req-${i}`, JSON.stringify({ i, list: [i, { z: 1, a: 2 }] })]);
    // A transaction that rolled back leaves a hole in the ids, not in the chain.
    if (i === 3) await before.transaction((m) => m.query(insert, ['LOGIN_FAILED', null, null, null, 'gone', '{}']).then(() => Promise.reject(new Error('rolled back')))).catch(() => undefined);
  }
  await before.destroy();

  const after = await migrated([CreateIdentity1763900000000, SignInAttempts1765000000000, AuditHashChain1766300000000]);
  const rows: { id: string; seq: string }[] = await after.query(`SELECT id, seq FROM identity.audit_events ORDER BY id`);
  expect(rows).toHaveLength(7);
  expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(Number(rows[4].id) - Number(rows[3].id)).toBe(2);
  const report = await verifyAuditChain(after, { batchSize: 3 });
  expect(report).toMatchObject({ ok: true, entries: 7, head: { seq: 7n }, unsealed: { count: 0 } });
  await expect(after.query(`UPDATE identity.audit_events SET details = '{}' WHERE seq = 1`)).rejects.toThrow(/append-only/);

  // Undone, the log is as it was: unchained and still append-only.
  await after.undoLastMigration({ transaction: 'each' });
  const columns: { column_name: string }[] = await after.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'identity' AND table_name = 'audit_events' AND column_name IN ('seq', 'prev_hash', 'hash')`,
  );
  expect(columns).toEqual([]);
  await expect(after.query(`DELETE FROM identity.audit_events`)).rejects.toThrow(/append-only/);
});
