import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { runAuditVerify } from '../../../../scripts/audit-verify';
import { recordAuditEvent } from '../../src/services/audit-log';
import { LOGIN, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// `npm run audit:verify` against identity's database after a sign-in and other
// entries, which identity's own sealer chains: its output and exit code when the
// log holds, when it is called wrongly, when the other services' logs are not in
// the database, and when an entry was changed (there also as a process of its
// own, as npm runs it). test/audit/audit-chains.test.ts checks every log at once.

const root = path.resolve(__dirname, '../../../..');
let h: IdentityHarness;

/** Runs the command in this process against the test database, collecting what it writes. */
async function auditVerify(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const output = { log: (line: string) => (out += `${line}\n`), error: (line: string) => (err += `${line}\n`) };
  const code = await runAuditVerify(args, output, { ...process.env, DATABASE_URL: h.db.url });
  return { code, out, err };
}

/** Runs the script as `npm run audit:verify` does, in a process of its own. */
function auditVerifyProcess(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: h.db.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    // 'close', not 'exit': the output pipes are drained and closed too.
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  h = await startIdentity({ IDENTITY_WORKERS: 'true' });
  // A failed sign-in through the API, and entries recorded as identity's services record them.
  await h.gql(LOGIN, { input: { email: 'nobody@example.com', password: 'not the password' } });
  const origin = { ip: '203.0.113.5', userAgent: 'MeridianApp/1.0', requestId: 'req-1' };
  await h.server.dataSource.transaction(async (m) => {
    await recordAuditEvent(m, 'LOGIN_SUCCEEDED', randomUUID(), origin, { sessionId: randomUUID() });
    await recordAuditEvent(m, 'LOGGED_OUT', null, origin, { reason: 'test' });
  });
  // The server's sealer chains them in the background.
  for (let i = 0; i < 100; i++) {
    const [{ waiting }] = await h.server.dataSource.query(`SELECT count(*)::int AS waiting FROM identity.audit_events WHERE seq IS NULL`);
    if (waiting === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(() => h.close());

describe('npm run audit:verify', () => {
  it('reports the count and head of an intact chain and exits 0', async () => {
    const entries = await h.count('audit_events');
    expect(entries).toBeGreaterThanOrEqual(3);
    const [head] = await h.server.dataSource.query(`SELECT seq, hash FROM identity.audit_events ORDER BY seq DESC LIMIT 1`);
    const run = await auditVerify('--batch-size=2', '--log=identity.audit_events');
    expect(run.err).toBe('');
    expect(run.out).toContain(`identity.audit_events: verified, ${entries} chained entries`);
    expect(run.out).toContain(`head     seq ${head.seq}, hash ${head.hash}`);
    expect(run.out).toContain('waiting  none');
    expect(run.code).toBe(0);
    expect(await auditVerify('--log=identity.audit_events', `--anchor=identity.audit_events:${head.seq}:${head.hash}`)).toMatchObject({ code: 0 });
  });

  it('exits 2 when the other services’ logs are not in the database, after verifying the ones that are', async () => {
    const run = await auditVerify();
    expect(run.code).toBe(2);
    expect(run.out).toContain('identity.audit_events: verified');
    expect(run.out).toContain('kyc.audit_log: not in this database');
    expect(run.err).toContain('Could not verify kyc.audit_log, payments.staff_audit, banking.access_audit');
  });

  it('exits 2 when called wrongly, before reading anything', async () => {
    expect(await auditVerify('--anchor=7:not-a-hash')).toMatchObject({ code: 2, err: expect.stringContaining('--anchor takes TABLE:SEQ:HASH') });
    expect(await auditVerify('--batch-size=0')).toMatchObject({ code: 2, err: expect.stringContaining('--batch-size must be at least 1') });
    expect(await auditVerify('--verbose')).toMatchObject({ code: 2, err: expect.stringContaining('Unknown option --verbose') });
  });

  it('names the first changed entry and exits 1, in-process and as its own process', async () => {
    const [second] = await h.server.dataSource.query(`SELECT id FROM identity.audit_events WHERE seq = 2`);
    await h.server.dataSource.transaction(async (m) => {
      await m.query(`ALTER TABLE identity.audit_events DISABLE TRIGGER USER`);
      await m.query(`UPDATE identity.audit_events SET ip = '198.51.100.1' WHERE seq = 2`);
      await m.query(`ALTER TABLE identity.audit_events ENABLE TRIGGER USER`);
    });
    const json = await auditVerify('--json', '--log=identity.audit_events');
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      logs: [{ log: 'identity.audit_events', ok: false, entries: 1, broken: { kind: 'HASH_MISMATCH', seq: '2', id: String(second.id), field: 'hash' } }],
    });
    expect(json.code).toBe(1);

    const run = await auditVerifyProcess('--batch-size=1', '--log=identity.audit_events');
    expect(run.err).toBe('');
    expect(run.out).toContain('identity.audit_events: BROKEN (HASH_MISMATCH)');
    expect(run.out).toContain(`at       seq 2, entry id ${second.id}, field hash`);
    expect(run.code).toBe(1);
  }, 60_000);
});
