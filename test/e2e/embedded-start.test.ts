import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Runs `npm start`'s entry point as a newcomer would: no DATABASE_URL or REDIS_URL, so the
// embedded PGlite and in-memory adapters; then checks that data survives a restart.
const root = path.resolve(__dirname, '../..');
jest.setTimeout(120_000);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
}

async function start(env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 90 s:\n${output}`)), 90_000);
    const check = setInterval(() => {
      if (output.includes('Meridian is running')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output };
}

async function stop(running: Running): Promise<number | null> {
  if (running.child.exitCode !== null) return running.child.exitCode;
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
  running.child.kill('SIGTERM');
  return exited;
}

async function gql(port: number, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
}

describe('embedded mode (npm start)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-embedded-'));
  let env: NodeJS.ProcessEnv;
  let ports: Record<string, number>;
  let metricsPorts: Record<'web' | 'mobile', number>;
  let running: Running | undefined;

  beforeAll(async () => {
    ports = { web: await freePort(), mobile: await freePort(), gateway: await freePort(), identity: await freePort(), banking: await freePort(), kyc: await freePort(), payments: await freePort(), insights: await freePort() };
    metricsPorts = { web: await freePort(), mobile: await freePort() };
    const { DATABASE_URL: _db, REDIS_URL: _redis, NODE_OPTIONS: _opts, ...rest } = process.env;
    env = {
      ...rest,
      // As `npm start` runs: with every server's background work (the test set-up turns it off for in-process tests).
      LEDGER_WORKERS: 'true',
      KYC_WORKERS: 'true',
      PAYMENTS_WORKERS: 'true',
      INSIGHTS_WORKERS: 'true',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      WEB_BFF_PORT: String(ports.web),
      MOBILE_BFF_PORT: String(ports.mobile),
      GATEWAY_PORT: String(ports.gateway),
      IDENTITY_PORT: String(ports.identity),
      BANKING_PORT: String(ports.banking),
      KYC_PORT: String(ports.kyc),
      PAYMENTS_PORT: String(ports.payments),
      INSIGHTS_PORT: String(ports.insights),
      WEB_BFF_METRICS_PORT: String(metricsPorts.web),
      MOBILE_BFF_METRICS_PORT: String(metricsPorts.mobile),
      IDENTITY_JWKS_URL: `http://127.0.0.1:${ports.identity}/.well-known/jwks.json`,
      // A directory without the dashboard's build: npm start serves a given WEB_APP_DIR as it is (no Vite build here).
      WEB_APP_DIR: path.join(dataDir, 'no-web-app'),
    };
  });
  // A failed test must not leave its server holding the embedded database for the next one.
  afterEach(async () => {
    if (running) await stop(running);
    running = undefined;
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts every server, seeds the demo user and serves register/login/me', async () => {
    running = await start(env);
    expect(running.output()).toMatch(/demo user\s+demo@meridian\.bank \/ \S+\s+\(created\)/);
    for (const port of Object.values(ports)) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
    }
    const demoPassword = /demo@meridian\.bank \/ (\S+)/.exec(running.output())![1];
    const demo = await gql(ports.mobile, `mutation { login(input: { email: "demo@meridian.bank", password: "${demoPassword}", deviceId: "embedded-test-phone" }) { accessToken } }`);
    expect(demo.errors).toBeUndefined();
    expect(running.output()).toMatch(/demo KYC\s+the demo user is verified to TIER_2 \(created\)/);
    const demoKyc = await gql(ports.mobile, `{ me { kyc { tier status nextSteps } } }`, {}, demo.data.login.accessToken);
    expect(demoKyc.data?.me.kyc).toEqual({ tier: 'TIER_2', status: 'VERIFIED', nextSteps: [] });
    // The demo user has paid the demo friend twice, and can pay her again by phone number.
    expect(running.output()).toMatch(/demo pay\s+2 payments to Ana López/);
    const token = demo.data.login.accessToken;
    const paid = await gql(ports.mobile, `{ payments(first: 5) { edges { node { status amount { amount } counterparty { name } } } } }`, {}, token);
    expect(paid.data?.payments.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { status: 'SUCCEEDED', amount: { amount: '18.00' }, counterparty: { name: 'Ana López' } },
      { status: 'SUCCEEDED', amount: { amount: '42.50' }, counterparty: { name: 'Ana López' } },
    ]);
    const accounts = await gql(ports.mobile, `{ me { accounts { id currency type } } }`, {}, token);
    const gbp = accounts.data.me.accounts.find((a: { currency: string; type: string }) => a.currency === 'GBP' && a.type === 'CURRENT');
    const again = await gql(
      ports.mobile,
      `mutation ($input: CreatePaymentInput!) { createPayment(input: $input) { id status counterparty { name } } }`,
      { input: { kind: 'P2P', accountId: gbp.id, amount: '5.00', currency: 'GBP', recipient: { phone: '+447700900456' } } },
      token,
    );
    expect(again.data?.createPayment).toMatchObject({ status: 'REQUIRES_CONFIRMATION', counterparty: { name: 'Ana López' } });
    const confirmed = await gql(ports.mobile, `mutation ($id: ID!) { confirmPayment(id: $id) { status } }`, { id: again.data.createPayment.id }, token);
    expect(confirmed.data?.confirmPayment.status).toBe('SUCCEEDED');

    // Insights knows the demo year: its subscriptions and bills, its spending by category (the ledger's events reach it within seconds).
    let recurring: { merchant: { name: string }; frequency: string }[] = [];
    for (const until = Date.now() + 120_000; recurring.length < 5 && Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
      recurring = (await gql(ports.mobile, `{ me { insights { recurring { merchant { name } frequency } } } }`, {}, token)).data?.me.insights.recurring ?? [];
    }
    expect(recurring.map((s) => s.merchant.name)).toEqual(expect.arrayContaining(['Netflix', 'Spotify', 'Harbour Lettings Rent']));
    const today = new Date().toISOString().slice(0, 10);
    const spending = await gql(ports.web, `query ($p: DateRangeInput!) { me { insights { spendingByCategory(period: $p) { categories { category { id } } } } } }`, { p: { from: `${today.slice(0, 8)}01`, to: today } }, token);
    expect(spending.errors).toBeUndefined();
    expect(running.output()).toMatch(/demo money\s+.*three budgets and a savings goal \(created\)/);
    const planned = await gql(ports.mobile, `{ me { insights { budgets { category { id } amount { amount } } goals { name } } } }`, {}, token);
    expect(planned.data?.me.insights.budgets.map((b: { category: { id: string } }) => b.category.id).sort()).toEqual(['ENTERTAINMENT', 'FOOD_AND_DRINK', 'TRANSPORTATION']);
    expect(planned.data?.me.insights.goals).toEqual([{ name: 'Lisbon in the spring' }]);

    const input = { email: 'newcomer@example.com', password: 'my first meridian passphrase', displayName: 'Newcomer' };
    const reg = await gql(ports.web, `mutation R($i: RegisterInput!) { register(input: $i) { email verificationSent } }`, { i: input });
    expect(reg.errors).toBeUndefined();
    expect(reg.data.register).toEqual({ email: input.email, verificationSent: true });
    const login = await gql(ports.mobile, `mutation L($i: LoginInput!) { login(input: $i) { accessToken user { id } } }`, {
      i: { email: input.email, password: input.password, deviceId: 'embedded-test-phone' },
    });
    const me = await gql(ports.web, `{ me { id email accounts { id } } }`, {}, login.data.login.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toEqual({ id: login.data.login.user.id, email: input.email, accounts: [] });
    // A phone code goes to the development mailbox, which a developer reads on KYC's port.
    const sent = await gql(ports.mobile, `mutation { requestPhoneCode(phone: "+447911123456") { phone } }`, {}, login.data.login.accessToken);
    expect(sent.errors).toBeUndefined();
    const mailbox = (await (await fetch(`http://127.0.0.1:${ports.kyc}/dev/mailbox?to=+447911123456`)).json()) as { messages: { data: { code: string } }[] };
    expect(mailbox.messages[0].data.code).toMatch(/^\d{6}$/);
    // The verification email of the registration, on identity's port; the seeded demo user's address is verified already.
    const emails = (await (await fetch(`http://127.0.0.1:${ports.identity}/dev/mailbox?to=${encodeURIComponent(input.email)}`)).json()) as { messages: { template: string; data: { token: string } }[] };
    expect(emails.messages.map((m) => m.template)).toEqual(['identity.email_verification']);
    const verified = await gql(ports.mobile, `mutation V($t: String!) { verifyEmail(token: $t) }`, { t: emails.messages[0].data.token });
    expect(verified.data?.verifyEmail).toBe(true);
    expect((await gql(ports.mobile, `{ me { emailVerified } }`, {}, token)).data?.me.emailVerified).toBe(true);

    // Without the dashboard's build the web BFF still serves its API, and says at / how to build the app.
    const dashboard = await fetch(`http://127.0.0.1:${ports.web}/`, { headers: { accept: 'text/html' } });
    expect(dashboard.status).toBe(404);
    expect(((await dashboard.json()) as { errors: { message: string }[] }).errors[0].message).toContain('npm run build -w apps/web');

    // Internal servers refuse callers without a service token.
    const direct = await gql(ports.identity, `{ _service { sdl } }`);
    expect(direct.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const banking = await gql(ports.banking, `{ _service { sdl } }`);
    expect(banking.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(ports.kyc, `{ _service { sdl } }`)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(ports.payments, `{ _service { sdl } }`)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(ports.insights, `{ _service { sdl } }`)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const viaGateway = await gql(ports.gateway, `{ me { id } }`);
    expect(viaGateway.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // The BFFs' metrics are on their internal ports only.
    for (const bff of ['web', 'mobile'] as const) {
      expect((await fetch(`http://127.0.0.1:${ports[bff]}/metrics`)).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPorts[bff]}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain(`service="bff-${bff}"`);
    }

    expect(await stop(running)).toBe(0);
    running = undefined;
    // The first start seeds a year of history through every server of an embedded database: it takes a while.
  }, 300_000);

  it('keeps the data across a restart', async () => {
    running = await start(env);
    expect(running.output()).toMatch(/demo user .*\(already there\)/);
    expect(running.output()).toMatch(/demo KYC .*\(already there\)/);
    // The demo payments are found again, not made twice.
    expect(running.output()).toMatch(/demo pay\s+2 payments/);
    expect(running.output()).toMatch(/demo money\s+.*\(already there\)/);
    const login = await gql(ports.mobile, `mutation { login(input: { email: "newcomer@example.com", password: "my first meridian passphrase", deviceId: "embedded-test-phone" }) { accessToken } }`);
    expect(login.errors).toBeUndefined();
    expect(await stop(running)).toBe(0);
    running = undefined;
  });
});
