import { spawn } from 'node:child_process';
import path from 'node:path';
import { createDevMailbox, createMemoryKeyValueStore, SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { createTestDatabase, createTestServiceKeys, type TestDatabase } from '@meridian/platform/testing';
import { decodeJwt } from 'jose';
import { Client } from 'pg';
import { runStaffCreate } from '../../../../scripts/staff-create';
import { createIdentityServer, loadIdentityConfig } from '../../src';

// `npm run staff:create` bootstraps the first administrator of a fresh database: it
// migrates identity, takes the password only from STAFF_PASSWORD or stdin, refuses weak
// ones with identity's own policy, and the administrator it adds can sign in.

const root = path.resolve(__dirname, '../../../..');
const PASSWORD = 'a long and unusual administrator passphrase';
let db: TestDatabase;

/** One statement on the test database, on a connection of its own. */
async function query(sql: string): Promise<Record<string, any>[]> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function staffCreate(args: string[], env: Record<string, string | undefined> = {}, stdin = '') {
  let out = '';
  let err = '';
  const io = { log: (line: string) => (out += `${line}\n`), error: (line: string) => (err += `${line}\n`), readStdin: async () => stdin };
  const code = await runStaffCreate(args, io, { ...process.env, STAFF_PASSWORD: undefined, DATABASE_URL: db.url, ...env });
  return { code, out, err };
}

const users = async () => {
  const found = await query(`SELECT to_regclass('identity.users') IS NOT NULL AS present`);
  return found[0].present ? ((await query(`SELECT email, roles FROM identity.users ORDER BY id`)) as { email: string; roles: string[] }[]) : [];
};

describe('npm run staff:create', () => {
  it('refuses a password on the command line, unknown or customer roles, and no password at all, touching nothing', async () => {
    const email = 'first.admin@bank.example';
    for (const [args, message] of [
      [['--email', email, '--name', 'Ada', '--roles', 'ADMIN', '--password', PASSWORD], /Never give a password on the command line/],
      [['--email', email, '--name', 'Ada', '--roles', 'CUSTOMER'], /Staff roles are SUPPORT, COMPLIANCE, ADMIN/],
      [['--email', email, '--name', 'Ada'], /--roles is required/],
    ] as const) {
      const res = await staffCreate([...args], { STAFF_PASSWORD: PASSWORD });
      expect(res.code).toBe(2);
      expect(res.err).toMatch(message);
    }
    const silent = await staffCreate(['--email', email, '--name', 'Ada', '--roles', 'ADMIN']);
    expect(silent).toMatchObject({ code: 2, err: expect.stringMatching(/No password/) });
    expect(await users()).toEqual([]);
  });

  it('refuses a weak password with identity’s reason, creating nobody', async () => {
    const res = await staffCreate(['--email', 'weak@bank.example', '--name', 'Weak', '--roles', 'ADMIN'], { STAFF_PASSWORD: 'password1234' });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^Refused \(password\): /);
    expect(await users()).toEqual([]);
  });

  it('migrates a fresh database and adds the administrator, who can sign in with the password given', async () => {
    const res = await staffCreate(['--email=First.Admin@Bank.example', '--name', 'Ada Admin', '--roles', 'admin'], {}, `${PASSWORD}\n`);
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toMatch(/^Created ADMIN staff member first\.admin@bank\.example \(/);
    expect(await users()).toEqual([{ email: 'first.admin@bank.example', roles: ['ADMIN'] }]);
    const [audit] = await query(`SELECT user_agent, details FROM identity.audit_events WHERE type = 'STAFF_CREATED'`);
    expect(audit).toEqual({ user_agent: 'meridian staff:create', details: { actorId: null, roles: ['ADMIN'], invited: false } });

    const again = await staffCreate(['--email', 'first.admin@bank.example', '--name', 'Ada', '--roles', 'ADMIN'], { STAFF_PASSWORD: PASSWORD });
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/^Refused \(email\)/) });

    // Identity on the same database: the administrator signs in with the password given.
    const keys = await createTestServiceKeys();
    const identity = await createIdentityServer(loadIdentityConfig({ ...process.env, ...keys.env() }), {
      databaseUrl: db.url,
      notifier: createDevMailbox({ kv: createMemoryKeyValueStore() }),
    });
    try {
      const res = await identity.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await keys.issuerFor('gateway')('identity') },
        payload: { query: `mutation { login(input: { email: "first.admin@bank.example", password: "${PASSWORD}" }) { accessToken } }` },
      });
      const body = res.json();
      // A second factor may be asked of staff; either way the password was right.
      if (body.errors) expect(body.errors[0].extensions.code).toBe('MFA_REQUIRED');
      else expect(decodeJwt(body.data.login.accessToken).scope).toContain('staff:manage');
    } finally {
      await identity.close();
    }
  });

  it('reads the password from stdin when run as its own process, as npm runs it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/staff-create.ts', '--email', 'piped@bank.example', '--name', 'Piped Support', '--roles', 'SUPPORT'], {
      cwd: root,
      env: { ...process.env, STAFF_PASSWORD: '', DATABASE_URL: db.url },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdin.end(`${PASSWORD}\n`);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/Created SUPPORT staff member piped@bank\.example/);
    expect((await users()).map((u) => u.email)).toContain('piped@bank.example');
  }, 60_000);
});
