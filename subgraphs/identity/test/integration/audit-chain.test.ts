import { randomUUID } from 'node:crypto';
import { initializeDataSource } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import type { DataSource } from 'typeorm';
import { createIdentityDataSource, createAuditSealer, sealAuditEvents, verifyAuditChain, type AuditChainReport } from '../../src';
import { AUDIT_CHAIN_COLUMNS, auditEntryHash } from '../../src/services/audit-chain';
import { recordAuditEvent } from '../../src/services/audit-log';

// The audit chain on identity's own database: many concurrent transactions append
// while several sealers (as in several identity replicas) chain; then a superuser
// who switched the append-only trigger off changes, removes and reorders entries,
// and the verifier names the first broken one.

let db: TestDatabase;
let ds: DataSource;
const userId = randomUUID();
const origin = (n: number) => ({ ip: `203.0.113.${n % 250}`, userAgent: 'MeridianApp/1.0', requestId: `req-${n}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createIdentityDataSource(db.url, 20);
  await initializeDataSource(ds, true);
});
afterAll(async () => {
  await ds.destroy();
  await db.drop();
});

/** Entry ids in chain order. */
async function chainIds(): Promise<string[]> {
  const rows: { id: string }[] = await ds.query(`SELECT id FROM identity.audit_events WHERE seq IS NOT NULL ORDER BY seq`);
  return rows.map((r) => String(r.id));
}

/** Runs `sql` with the append-only trigger off, as a superuser could; it is back on at commit. */
async function asSuperuser(sql: string, params: unknown[] = []): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(`ALTER TABLE identity.audit_events DISABLE TRIGGER USER`);
    await m.query(sql, params);
    await m.query(`ALTER TABLE identity.audit_events ENABLE TRIGGER USER`);
  });
}

/** Tampers with the log, verifies it, puts every row back as it was and checks that it verifies again. */
async function whileTampered(changes: string[], options: Parameters<typeof verifyAuditChain>[1] = {}): Promise<AuditChainReport> {
  const [{ rows }] = await ds.query(`SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]') AS rows FROM identity.audit_events e`);
  for (const sql of changes) await asSuperuser(sql);
  try {
    return await verifyAuditChain(ds, { batchSize: 5, ...options });
  } finally {
    await asSuperuser(`DELETE FROM identity.audit_events`);
    await asSuperuser(`INSERT INTO identity.audit_events SELECT * FROM jsonb_populate_recordset(NULL::identity.audit_events, $1::jsonb)`, [
      JSON.stringify(rows),
    ]);
    expect((await verifyAuditChain(ds)).ok).toBe(true);
  }
}

describe('the audit chain under concurrent appends', () => {
  it('chains every committed entry exactly once, gap-free, while appends and several sealers run at the same time', async () => {
    const transactions = 60;
    let appending = true;
    // Three sealers, as three identity replicas would run, polling while the appends go on.
    const sealers = Array.from({ length: 3 }, async () => {
      let sealed = 0;
      while (appending) {
        sealed += await sealAuditEvents(ds, { batchSize: 7 });
        await sleep(2);
      }
      return sealed;
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: transactions }, (_, i) =>
        ds.transaction(async (m) => {
          await recordAuditEvent(m, 'LOGIN_SUCCEEDED', userId, origin(i), { sessionId: randomUUID(), n: i });
          await recordAuditEvent(m, 'SESSION_REFRESHED', userId, origin(i), { note: `ünïcode "quoted" ${i}`, nested: { b: [1, 2], a: null } });
          // Every fifth transaction rolls back: its entries never exist, and leave no hole in the chain.
          if (i % 5 === 0) throw new Error('rolled back');
        }),
      ),
    );
    appending = false;
    const sealedAlongside = (await Promise.all(sealers)).reduce((a, b) => a + b, 0);
    const committed = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(committed).toBe(transactions - transactions / 5);
    const sealedAfter = await sealAuditEvents(ds);
    expect(sealedAlongside + sealedAfter).toBe(2 * committed);

    const report = await verifyAuditChain(ds, { batchSize: 16 });
    expect(report).toMatchObject({ ok: true, broken: null, entries: 2 * committed, head: { seq: BigInt(2 * committed) }, unsealed: { count: 0 } });
    const [{ min, max, distinct }] = await ds.query(`SELECT min(seq)::int AS min, max(seq)::int AS max, count(DISTINCT seq)::int AS distinct FROM identity.audit_events`);
    expect({ min, max, distinct }).toEqual({ min: 1, max: 2 * committed, distinct: 2 * committed });
  });

  it('lets the background sealer chain new entries on its own', async () => {
    const sealer = createAuditSealer(ds, { intervalMs: 20 });
    await ds.transaction((m) => recordAuditEvent(m, 'LOGGED_OUT', userId, origin(1), { sessionId: randomUUID() }));
    sealer.start();
    try {
      for (let i = 0; i < 200 && (await verifyAuditChain(ds)).unsealed.count > 0; i++) await sleep(25);
    } finally {
      await sealer.stop();
    }
    expect(await verifyAuditChain(ds)).toMatchObject({ ok: true, unsealed: { count: 0 } });
  });

  it('still refuses every update, delete and truncate, but the sealing of an unsealed entry', async () => {
    const [sealed] = await chainIds();
    await expect(ds.query(`UPDATE identity.audit_events SET details = '{}' WHERE id = $1`, [sealed])).rejects.toThrow(/append-only/);
    await expect(ds.query(`UPDATE identity.audit_events SET seq = 999999, prev_hash = hash WHERE id = $1`, [sealed])).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM identity.audit_events WHERE id = $1`, [sealed])).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE identity.audit_events`)).rejects.toThrow(/append-only/);
    // An unsealed entry: chaining it may not change anything else.
    await ds.transaction((m) => recordAuditEvent(m, 'LOGIN_FAILED', null, origin(2), { email: 'x@example.com' }));
    const [{ id }] = await ds.query(`SELECT id FROM identity.audit_events WHERE seq IS NULL`);
    const sealing = `seq = 999999, prev_hash = repeat('0', 64), hash = repeat('1', 64)`;
    await expect(ds.query(`UPDATE identity.audit_events SET ${sealing}, details = '{"email":"y@example.com"}' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`UPDATE identity.audit_events SET type = 'LOGIN_SUCCEEDED' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM identity.audit_events WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    expect(await sealAuditEvents(ds)).toBe(1);
    expect(await verifyAuditChain(ds)).toMatchObject({ ok: true, unsealed: { count: 0 } });
  });
});

describe('verifying a tampered audit chain', () => {
  let ids: string[];
  let head: { seq: bigint; hash: string };

  beforeAll(async () => {
    ids = await chainIds();
    head = (await verifyAuditChain(ds)).head;
    expect(ids.length).toBeGreaterThan(20);
  });

  it('names the entry whose details were changed', async () => {
    const report = await whileTampered([`UPDATE identity.audit_events SET details = details || '{"n": 999}' WHERE seq = 5`]);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({ kind: 'HASH_MISMATCH', seq: 5n, id: ids[4], field: 'hash' });
    expect(report.entries).toBe(4);
  });

  it('notices a timestamp moved by one microsecond', async () => {
    const report = await whileTampered([`UPDATE identity.audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = 13`]);
    expect(report.broken).toMatchObject({ kind: 'HASH_MISMATCH', seq: 13n, id: ids[12] });
  });

  it('names the entry after a deleted one as a gap in seq', async () => {
    const report = await whileTampered([`DELETE FROM identity.audit_events WHERE seq = 6`]);
    expect(report.broken).toMatchObject({ kind: 'SEQ_GAP', seq: 7n, id: ids[6], field: 'seq', expected: '6', found: '7' });
    expect(report.broken!.message).toMatch(/1 entry is missing/);
  });

  it('names the first entry of two swapped in order', async () => {
    const report = await whileTampered([
      `UPDATE identity.audit_events SET seq = 1000000 WHERE seq = 3`,
      `UPDATE identity.audit_events SET seq = 3 WHERE seq = 4`,
      `UPDATE identity.audit_events SET seq = 4 WHERE seq = 1000000`,
    ]);
    expect(report.broken).toMatchObject({ kind: 'PREV_HASH_MISMATCH', seq: 3n, id: ids[3], field: 'prev_hash' });
  });

  it('finds entries cut off the end, or a rewritten chain, only against a head recorded earlier', async () => {
    const last = ids.length;
    const cut = [`DELETE FROM identity.audit_events WHERE seq = ${last}`];
    expect(await whileTampered(cut)).toMatchObject({ ok: true, entries: last - 1 });
    expect((await whileTampered(cut, { anchors: [head] })).broken).toMatchObject({ kind: 'ANCHOR_MISMATCH', seq: head.seq, id: null });

    // A superuser who changes entry 9 and recomputes every hash after it leaves a chain that holds together.
    const rows = await ds.query(`SELECT ${AUDIT_CHAIN_COLUMNS} FROM identity.audit_events WHERE seq >= 8 ORDER BY seq`);
    let previous = rows[0].hash as string;
    const rewrite = rows.slice(1).map((row: Record<string, unknown>) => {
      const changed = row.seq === '9' ? { ...row, details: { forged: true } } : row;
      const hash = auditEntryHash(previous, BigInt(row.seq as string), changed);
      const sql = `UPDATE identity.audit_events SET prev_hash = '${previous}', hash = '${hash}'${row.seq === '9' ? `, details = '{"forged": true}'` : ''} WHERE seq = ${row.seq as string}`;
      previous = hash;
      return sql;
    });
    expect(await whileTampered(rewrite)).toMatchObject({ ok: true });
    expect((await whileTampered(rewrite, { anchors: [head] })).broken).toMatchObject({ kind: 'ANCHOR_MISMATCH', seq: head.seq, id: ids[ids.length - 1] });
  });

  it('fails when an entry has waited too long to be chained, and passes once it is', async () => {
    await ds.query(
      `INSERT INTO identity.audit_events (occurred_at, type, user_id, request_id, details) VALUES (now() - interval '1 hour', 'LOGIN_FAILED', NULL, 'late', '{}')`,
    );
    const [{ id }] = await ds.query(`SELECT id FROM identity.audit_events WHERE seq IS NULL`);
    const stale = await verifyAuditChain(ds);
    expect(stale).toMatchObject({ ok: false, entries: ids.length, broken: { kind: 'UNSEALED_TOO_OLD', id: String(id), seq: null } });
    expect(await verifyAuditChain(ds, { maxUnsealedAgeSeconds: 7_200 })).toMatchObject({ ok: true, unsealed: { count: 1, oldestId: String(id) } });
    await sealAuditEvents(ds);
    expect(await verifyAuditChain(ds, { anchors: [head] })).toMatchObject({ ok: true, entries: ids.length + 1, unsealed: { count: 0 } });
  });
});
