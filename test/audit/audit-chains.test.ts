import { randomUUID } from 'node:crypto';
import { AccessAuditLog, BANKING_ACCESS_AUDIT_LOG, createBankingDataSource } from '@meridian/banking';
import { createIdentityDataSource, IDENTITY_AUDIT_LOG } from '@meridian/identity';
import { createKycDataSource, KYC_AUDIT_LOG } from '@meridian/kyc';
import { createPaymentsDataSource, PAYMENTS_STAFF_AUDIT_LOG } from '@meridian/payments';
import { closeDataSource, createAuditSealer, createDataSource, initializeDataSource, sealAuditLog, verifyAuditLog, type AccessTokenClaims, type ChainedAuditLog } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import type { DataSource } from 'typeorm';
import { runAuditVerify } from '../../scripts/audit-verify';
import { CreateLedger1764000000000 } from '../../subgraphs/banking/src/data/migrations/1764000000000-create-ledger';
import { LedgerWritePath1764100000000 } from '../../subgraphs/banking/src/data/migrations/1764100000000-ledger-write-path';
import { recordAuditEvent } from '../../subgraphs/identity/src/services/audit-log';
import { AuditLog } from '../../subgraphs/kyc/src/data/audit-log';
import { CreateKyc1766000000000 } from '../../subgraphs/kyc/src/data/migrations/1766000000000-create-kyc';
import { StaffAudit } from '../../subgraphs/payments/src/data/staff-audit';
import { CreatePayments1767000000000 } from '../../subgraphs/payments/src/data/migrations/1767000000000-create-payments';
import { PaymentHistorySeq1767100000000 } from '../../subgraphs/payments/src/data/migrations/1767100000000-payment-history-seq';
import { RefundAttempts1767200000000 } from '../../subgraphs/payments/src/data/migrations/1767200000000-refund-attempts';

// Every staff-read log is append-only and hash-chained as identity's is: KYC's and
// payments' entries keep the reason given, the migrations chain the entries written
// before them, and `npm run audit:verify` checks every chain and names the first
// broken entry of each.

let db: TestDatabase;
const opened: DataSource[] = [];
const staff = { userId: randomUUID(), roles: ['COMPLIANCE'] as const };
const customer = randomUUID();
const REASON = 'Customer called about a held payment';

async function open(ds: DataSource): Promise<DataSource> {
  opened.push(ds);
  await initializeDataSource(ds, true);
  return ds;
}

/** Runs the command in this process against the test database, collecting what it writes. */
async function auditVerify(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAuditVerify(args, { log: (line) => (out += `${line}\n`), error: (line) => (err += `${line}\n`) }, { ...process.env, DATABASE_URL: db.url });
  return { code, out, err };
}

/** Runs `sql` with the log's append-only trigger off, as a superuser could; it is back on at commit. */
async function asSuperuser(ds: DataSource, log: ChainedAuditLog, sql: string): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(`ALTER TABLE ${log.table} DISABLE TRIGGER USER`);
    await m.query(sql);
    await m.query(`ALTER TABLE ${log.table} ENABLE TRIGGER USER`);
  });
}

let identity: DataSource;
let kyc: DataSource;
let payments: DataSource;
let banking: DataSource;
const logs = () =>
  [
    { ds: identity, log: IDENTITY_AUDIT_LOG },
    { ds: kyc, log: KYC_AUDIT_LOG },
    { ds: payments, log: PAYMENTS_STAFF_AUDIT_LOG },
    { ds: banking, log: BANKING_ACCESS_AUDIT_LOG },
  ] as const;

beforeAll(async () => {
  db = await createTestDatabase();
  // KYC, payments and banking as they were before their logs were chained, with entries already written.
  const before = {
    kyc: await open(createDataSource({ url: db.url, schema: 'kyc', entities: [], migrations: [CreateKyc1766000000000], poolSize: 2 })),
    payments: await open(createDataSource({ url: db.url, schema: 'payments', entities: [], migrations: [CreatePayments1767000000000, PaymentHistorySeq1767100000000, RefundAttempts1767200000000], poolSize: 2 })),
    banking: await open(createDataSource({ url: db.url, schema: 'banking', entities: [], migrations: [CreateLedger1764000000000, LedgerWritePath1764100000000], poolSize: 2 })),
  };
  for (let i = 0; i < 3; i++) {
    await before.kyc.query(`INSERT INTO kyc.audit_log (actor_id, actor_roles, action, subject_user_id, fields, details) VALUES ($1, $2, 'CASE_READ', $3, '{legalName}', $4::jsonb)`, [
      staff.userId,
      staff.roles,
      customer,
      JSON.stringify({ i }),
    ]);
    await before.payments.query(`INSERT INTO payments.staff_audit (id, staff_user_id, subject_user_id, operation, request_id) VALUES ($1, $2, $3, 'Query.payment', $4)`, [
      randomUUID(),
      staff.userId,
      customer,
      `old-${i}`,
    ]);
    await before.banking.query(`INSERT INTO banking.access_audit (staff_user_id, account_id, operation, request_id) VALUES ($1, $2, 'User.accounts', $3)`, [staff.userId, randomUUID(), `old-${i}`]);
  }
  for (const ds of Object.values(before)) await ds.destroy();

  identity = await open(createIdentityDataSource(db.url, 2));
  kyc = await open(createKycDataSource(db.url, 2));
  payments = await open(createPaymentsDataSource(db.url, 2));
  banking = await open(createBankingDataSource(db.url, 2));
});
afterAll(async () => {
  for (const ds of opened) if (ds.isInitialized) await closeDataSource(ds);
  await db?.drop();
});

describe('the staff-read audit logs', () => {
  it('are chained by their migrations, entries written before them included, in id order', async () => {
    for (const { ds, log } of logs().slice(1)) {
      const rows: { seq: string }[] = await ds.query(`SELECT seq FROM ${log.table} ORDER BY id`);
      expect({ log: log.table, seqs: rows.map((r) => Number(r.seq)).sort() }).toEqual({ log: log.table, seqs: [1, 2, 3] });
    }
  });

  it('keep the reason of each staff read, and are chained by their sealers as entries arrive', async () => {
    const now = new Date();
    const claims: AccessTokenClaims = { userId: staff.userId, sessionId: randomUUID(), roles: [...staff.roles], scopes: ['kyc:review'], tokenId: randomUUID(), expiresAt: now, amr: ['pwd', 'mfa'], authTime: now };
    await identity.transaction((m) => recordAuditEvent(m, 'STAFF_READ', customer, { ip: '203.0.113.9', userAgent: 'jest', requestId: 'req-1' }, { actorId: staff.userId, reason: REASON }));
    await new AuditLog().record(kyc, { actor: claims, action: 'CASE_READ', reason: REASON, requestId: 'req-1', subjectUserId: customer, caseId: randomUUID() });
    await new AuditLog().record(kyc, { actor: claims, action: 'PERSONAL_DATA_READ', reason: REASON, requestId: 'req-1', subjectUserId: customer, fields: ['legalName'], revealed: true });
    await new StaffAudit(payments).record([{ staffUserId: staff.userId, paymentId: randomUUID(), subjectUserId: customer, operation: 'Query.payment', requestId: 'req-1', reason: REASON }]);
    await new AccessAuditLog(banking).record([{ staffUserId: staff.userId, accountId: randomUUID(), operation: 'User.accounts', requestId: 'req-1' }]);
    for (const { ds, log } of logs()) expect({ log: log.table, sealed: await sealAuditLog(ds, log) }).toEqual({ log: log.table, sealed: log === KYC_AUDIT_LOG ? 2 : 1 });

    expect((await kyc.query(`SELECT reason, request_id FROM kyc.audit_log WHERE seq > 3 ORDER BY seq`)).map((r: { reason: string }) => r.reason)).toEqual([REASON, REASON]);
    expect(await payments.query(`SELECT reason, request_id FROM payments.staff_audit WHERE seq = 4`)).toEqual([{ reason: REASON, request_id: 'req-1' }]);
    const run = await auditVerify();
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('identity.audit_events: verified, 1 chained entries');
    for (const table of ['kyc.audit_log: verified, 5 chained entries', 'payments.staff_audit: verified, 4 chained entries', 'banking.access_audit: verified, 4 chained entries']) {
      expect(run.out).toContain(table);
    }
  });

  it('refuse every UPDATE, DELETE and TRUNCATE, but the sealing of an unsealed entry', async () => {
    for (const { ds, log } of logs().slice(1)) {
      for (const sql of [`UPDATE ${log.table} SET request_id = 'changed'`, `DELETE FROM ${log.table}`, `TRUNCATE ${log.table}`]) {
        await expect(ds.query(sql)).rejects.toThrow(/append-only/);
      }
      // Sealing may set the chain columns of an entry that has none, and nothing else with them.
      await expect(ds.query(`UPDATE ${log.table} SET seq = 999, prev_hash = repeat('0', 64), hash = repeat('1', 64) WHERE seq = 1`)).rejects.toThrow(/append-only/);
    }
    await new StaffAudit(payments).record([{ staffUserId: staff.userId, operation: 'User.payees', requestId: 'req-2' }]);
    await expect(payments.query(`UPDATE payments.staff_audit SET seq = 999, prev_hash = repeat('0', 64), hash = repeat('1', 64), reason = 'Made up later' WHERE seq IS NULL`)).rejects.toThrow(
      /append-only/,
    );
    expect(await sealAuditLog(payments, PAYMENTS_STAFF_AUDIT_LOG)).toBe(1);
  });

  it('are chained in the background by each service’s sealer, as their servers run them', async () => {
    await new AccessAuditLog(banking).record([{ staffUserId: staff.userId, accountId: randomUUID(), operation: 'Transfer.fromAccount', requestId: 'req-3' }]);
    await new StaffAudit(payments).record([{ staffUserId: staff.userId, operation: 'User.cards', requestId: 'req-3' }]);
    const sealers = [createAuditSealer(banking, BANKING_ACCESS_AUDIT_LOG, { intervalMs: 20 }), createAuditSealer(payments, PAYMENTS_STAFF_AUDIT_LOG, { intervalMs: 20 })];
    for (const sealer of sealers) sealer.start();
    try {
      for (let i = 0; i < 200; i++) {
        const reports = await Promise.all([verifyAuditLog(banking, BANKING_ACCESS_AUDIT_LOG), verifyAuditLog(payments, PAYMENTS_STAFF_AUDIT_LOG)]);
        if (reports.every((r) => r.unsealed.count === 0)) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      for (const sealer of sealers) await sealer.stop();
    }
    expect(await verifyAuditLog(banking, BANKING_ACCESS_AUDIT_LOG)).toMatchObject({ ok: true, entries: 5, unsealed: { count: 0 } });
    expect(await verifyAuditLog(payments, PAYMENTS_STAFF_AUDIT_LOG)).toMatchObject({ ok: true, entries: 6, unsealed: { count: 0 } });
  });

  it('print every head with --json and hold against the anchors given, per log', async () => {
    const json = await auditVerify('--json', '--batch-size=2');
    const report = JSON.parse(json.out) as { ok: boolean; logs: { log: string; ok: boolean; entries: number; head: { seq: string; hash: string } }[] };
    expect(json.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.logs.map((l) => `${l.log}:${l.entries}`)).toEqual(['identity.audit_events:1', 'kyc.audit_log:5', 'payments.staff_audit:6', 'banking.access_audit:5']);
    const anchors = report.logs.map((l) => `--anchor=${l.log}:${l.head.seq}:${l.head.hash}`);
    expect((await auditVerify(...anchors)).code).toBe(0);
    const kycHead = report.logs[1].head;
    const wrong = await auditVerify(`--anchor=kyc.audit_log:${kycHead.seq}:${'f'.repeat(64)}`, '--log=kyc.audit_log');
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('kyc.audit_log: BROKEN (ANCHOR_MISMATCH)');
    expect(wrong.out).not.toContain('identity.audit_events');
    expect(await auditVerify('--anchor=kyc.audit_log:1:nothex')).toMatchObject({ code: 2, err: expect.stringContaining('--anchor takes TABLE:SEQ:HASH') });
    expect(await auditVerify('--log=kyc.nothing')).toMatchObject({ code: 2, err: expect.stringContaining('There is no audit log kyc.nothing') });
  });

  it('names the first changed entry of every log that was tampered with, and exits 1', async () => {
    const second: Record<string, string> = {};
    for (const { ds, log } of logs().slice(1)) second[log.table] = String((await ds.query(`SELECT id FROM ${log.table} WHERE seq = 2`))[0].id);
    await asSuperuser(kyc, KYC_AUDIT_LOG, `UPDATE kyc.audit_log SET revealed = NOT revealed WHERE seq = 2`);
    await asSuperuser(payments, PAYMENTS_STAFF_AUDIT_LOG, `UPDATE payments.staff_audit SET reason = 'A better reason' WHERE seq IN (2, 4)`);
    await asSuperuser(banking, BANKING_ACCESS_AUDIT_LOG, `DELETE FROM banking.access_audit WHERE seq = 2`);
    const run = await auditVerify('--batch-size=1');
    expect(run.code).toBe(1);
    expect(run.out).toContain('identity.audit_events: verified');
    expect(run.out).toContain('kyc.audit_log: BROKEN (HASH_MISMATCH)');
    expect(run.out).toContain(`at       seq 2, entry id ${second['kyc.audit_log']}, field hash`);
    expect(run.out).toContain('payments.staff_audit: BROKEN (HASH_MISMATCH)');
    expect(run.out).toContain(`at       seq 2, entry id ${second['payments.staff_audit']}, field hash`);
    // A removed entry: the one after it is named, as a gap in seq.
    const third = String((await banking.query(`SELECT id FROM banking.access_audit WHERE seq = 3`))[0].id);
    expect(run.out).toContain('banking.access_audit: BROKEN (SEQ_GAP)');
    expect(run.out).toContain(`at       seq 3, entry id ${third}, field seq`);
  });
});
