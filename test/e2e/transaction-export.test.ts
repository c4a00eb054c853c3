import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMeridianClient } from '@meridian/client';
import {
  CategorizedTransactionsDocument,
  LoginDocument,
  OpenAccountDocument,
  RecategorizeTransactionDocument,
  RegisterDocument,
  SpendingByCategoryDocument,
} from '@meridian/client/mobile';
import { TRANSACTION_EXPORT_ROUTE } from '@meridian/bff-core';
import { createInsightsServer, EXPORT_ROUTE, loadInsightsConfig, rebuildReadModel, type InsightsServer } from '@meridian/insights';
import { startStack, WEB_HOST, type Stack } from '../helpers/stack';

// A customer downloads their transactions as CSV through both BFFs, as the app (bearer token) and
// the dashboard (session cookie) do, from a real insights server that reads the stack's ledger.
// The BFFs reach insights through a front this file controls, so insights can also fail or vanish.

/** What the front in place of insights does with the next requests. */
let mode: 'insights' | 'failing' | 'dropping' = 'insights';
/** The targets insights was asked for, as the BFFs sent them. */
const seen: string[] = [];
let insightsPort = 0;
const front = http.createServer((req, res) => {
  seen.push(req.url ?? '');
  if (mode === 'failing') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('database is on fire');
  if (mode === 'dropping') return void req.socket.destroy();
  const forward = http.request({ host: '127.0.0.1', port: insightsPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', () => res.destroy());
  req.pipe(forward);
});

let stack: Stack;
let insights: InsightsServer;
let mobileBase: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  stack = await startStack({ MOBILE_TRUSTED_DOCUMENTS: 'required', INSIGHTS_URL: `http://127.0.0.1:${(front.address() as AddressInfo).port}/graphql` });
  const identityPort = (stack.identity.app.server.address() as AddressInfo).port;
  insights = await createInsightsServer(
    loadInsightsConfig({
      ...process.env,
      MIGRATE_ON_START: 'true',
      INSIGHTS_WORKERS: 'false',
      IDENTITY_JWKS_URL: `http://127.0.0.1:${identityPort}/.well-known/jwks.json`,
      BANKING_INTERNAL_URL: `http://127.0.0.1:${(stack.banking.app.server.address() as AddressInfo).port}`,
    }),
    { databaseUrl: stack.db.url },
  );
  await insights.app.listen({ port: 0, host: '127.0.0.1' });
  insightsPort = (insights.app.server.address() as AddressInfo).port;
  await stack.mobile.app.listen({ port: 0, host: '127.0.0.1' });
  mobileBase = `http://127.0.0.1:${(stack.mobile.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await insights?.close();
  await stack?.close();
  await new Promise((resolve) => front.close(resolve));
});
beforeEach(() => {
  mode = 'insights';
});

/** A customer signed in on the app, with a current account. */
async function customer(displayName: string) {
  const email = `export.${randomUUID()}@example.com`;
  const password = 'a long and unusual passphrase';
  const deviceId = `phone-${randomUUID().slice(0, 8)}`;
  let accessToken = '';
  const api = createMeridianClient({ url: `${mobileBase}/graphql`, client: 'mobile', deviceId, getAccessToken: () => accessToken || null });
  await api.request(RegisterDocument, { input: { email, password, displayName } });
  ({ accessToken } = (await api.request(LoginDocument, { input: { email, password, deviceId } })).login);
  const account = (await api.request(OpenAccountDocument, { input: { type: 'CURRENT', currency: 'GBP' } })).openAccount;
  return { api, email, password, accessToken, accountId: account.id };
}

/** A card payment as the card network sends it: the descriptor and merchant category code. */
async function cardPayment(accountId: string, description: string, minor: bigint, mcc: string): Promise<string> {
  const clearing = await stack.banking.accounts.systemAccount('CLEARING', 'GBP');
  const id = randomUUID();
  await stack.banking.ledger.createTransfer({
    id,
    code: 'CARD_PAYMENT',
    description,
    metadata: { mcc },
    postings: [
      { accountId, direction: 'DEBIT', amount: minor, currency: 'GBP' },
      { accountId: clearing.id, direction: 'CREDIT', amount: minor, currency: 'GBP' },
    ],
  });
  return id;
}

async function deposit(accountId: string, minor: bigint): Promise<void> {
  const clearing = await stack.banking.accounts.systemAccount('CLEARING', 'GBP');
  await stack.banking.ledger.createTransfer({
    id: randomUUID(),
    code: 'DEPOSIT',
    description: 'Opening deposit',
    postings: [
      { accountId: clearing.id, direction: 'DEBIT', amount: minor, currency: 'GBP' },
      { accountId, direction: 'CREDIT', amount: minor, currency: 'GBP' },
    ],
  });
}

/** Insights reads the ledger's history from banking, as `npm run insights:rebuild` does. */
const catchUp = () => rebuildReadModel({ db: insights.dataSource, ledger: insights.ledger, projection: insights.projection });

/** Yesterday to tomorrow in UTC: today in any time zone. */
function aroundToday(): { from: string; to: string } {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-1), to: day(1) };
}

const exportUrl = (range: { from: string; to: string }, extra = '') => `${TRANSACTION_EXPORT_ROUTE}?from=${range.from}&to=${range.to}${extra}`;

describe('the transactions export through the BFFs', () => {
  it('streams the customer’s own transactions from insights: the app with its bearer token, the dashboard with its session', async () => {
    expect(TRANSACTION_EXPORT_ROUTE).toBe(EXPORT_ROUTE);
    const ana = await customer('Ana Export');
    await deposit(ana.accountId, 200_00n);
    await cardPayment(ana.accountId, 'PRET A MANGER 1234 LONDON GB', 4_50n, '5814');
    await cardPayment(ana.accountId, '=HYPERLINK("http://evil.example")', 1_00n, '5999');
    const ben = await customer('Ben Export');
    await deposit(ben.accountId, 100_00n);
    await cardPayment(ben.accountId, 'TESCO STORES 3297 LONDON GB', 80_00n, '5411');
    await catchUp();
    const range = aroundToday();

    seen.length = 0;
    const app = await fetch(`${mobileBase}${exportUrl(range, '&userId=someone-else')}`, { headers: { authorization: `Bearer ${ana.accessToken}` } });
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(app.headers.get('content-disposition')).toBe(`attachment; filename="meridian-transactions-${range.from}-to-${range.to}.csv"`);
    expect(app.headers.get('cache-control')).toBe('no-store');
    const csv = await app.text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('date,account_id,transfer_id,status,description,merchant,category,detailed_category,amount,currency');
    expect(lines).toHaveLength(4);
    expect(lines.every((line, i) => i === 0 || line.includes(`,${ana.accountId},`))).toBe(true);
    expect(csv).toContain('PRET A MANGER 1234 LONDON GB');
    expect(csv).not.toContain('TESCO');
    // Free text that a spreadsheet would run as a formula arrives neutralised.
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    // Only the range went on to insights, and nothing else the client added.
    expect(seen).toEqual([`${EXPORT_ROUTE}?from=${range.from}&to=${range.to}`]);

    const cookie = await stack.webLogin(ana.email, ana.password);
    const dashboard = await stack.web.app.inject({ method: 'GET', url: exportUrl(range), headers: { cookie, host: WEB_HOST } });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.headers['cache-control']).toBe('no-store');
    expect(dashboard.headers['content-disposition']).toContain('attachment;');
    expect(dashboard.body).toBe(csv);

    // Ben's token gives Ben's transactions, whichever BFF carries it.
    const bens = await stack.web.app.inject({ method: 'GET', url: exportUrl(range), headers: { authorization: `Bearer ${ben.accessToken}` } });
    expect(bens.body).toContain('TESCO STORES 3297 LONDON GB');
    expect(bens.body).not.toContain('PRET');
  });

  it('refuses without a user (401) before calling insights, passes insights’ own refusal on, and answers 503 when insights fails or is gone', async () => {
    const cleo = await customer('Cleo Export');
    const range = aroundToday();
    seen.length = 0;
    for (const bff of [stack.mobile, stack.web]) {
      const anonymous = await bff.app.inject({ method: 'GET', url: exportUrl(range), headers: { host: WEB_HOST } });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['cache-control']).toBe('no-store');
      expect(anonymous.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const stale = await stack.web.app.inject({ method: 'GET', url: exportUrl(range), headers: { cookie: '__Host-meridian-session=not-a-session', host: WEB_HOST } });
    expect(stale.statusCode).toBe(401);
    expect(seen).toEqual([]);

    const as = { authorization: `Bearer ${cleo.accessToken}` };
    const backwards = await stack.mobile.app.inject({ method: 'GET', url: exportUrl({ from: range.to, to: range.from }), headers: as });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'range' });
    const missing = await stack.mobile.app.inject({ method: 'GET', url: TRANSACTION_EXPORT_ROUTE, headers: as });
    expect(missing.statusCode).toBe(400);
    const forged = await stack.mobile.app.inject({ method: 'GET', url: exportUrl(range), headers: { authorization: `Bearer ${cleo.accessToken.slice(0, -4)}AAAA` } });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');

    for (const failure of ['failing', 'dropping'] as const) {
      mode = failure;
      const res = await stack.mobile.app.inject({ method: 'GET', url: exportUrl(range), headers: as });
      expect({ failure, status: res.statusCode }).toEqual({ failure, status: 503 });
      expect(res.json().errors[0]).toMatchObject({ message: 'Exports are temporarily unavailable. Try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
      expect(res.body).not.toContain('fire');
    }
  });
});

describe('the export limit', () => {
  it('lets each customer export 30 times an hour, then answers 429 with retryAfter without calling insights; others are not held back', async () => {
    mode = 'insights';
    // Registered with identity itself: the BFF allows five registrations an hour from one address, and this file makes more customers.
    const signedIn = async (displayName: string) => {
      const email = `export.${randomUUID()}@example.com`;
      const password = 'a long and unusual passphrase';
      await stack.identity.accounts.register({ email, password, displayName }, { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' });
      // Signed in with identity itself too: the BFF allows five sign-ins a minute from one address.
      const origin = { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' };
      return { accessToken: (await stack.identity.sessions.login(email, password, `phone-${randomUUID().slice(0, 8)}`, origin)).accessToken };
    };
    const dan = await signedIn('Dan Export');
    const eve = await signedIn('Eve Export');
    const range = aroundToday();
    const get = (who: { accessToken: string }) => stack.mobile.app.inject({ method: 'GET', url: exportUrl(range), headers: { authorization: `Bearer ${who.accessToken}` } });
    for (let i = 0; i < 30; i += 1) expect((await get(dan)).statusCode).toBe(200);
    seen.length = 0;
    const refused = await get(dan);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 30 });
    expect(seen).toEqual([]);
    expect((await get(eve)).statusCode).toBe(200);
  });
});

describe('insights through the mobile BFF (trusted documents)', () => {
  it('shows a transaction’s category and merchant beside banking’s fields, and the customer can change the category', async () => {
    const dan = await customer('Dan Dashboard');
    await deposit(dan.accountId, 100_00n);
    const coffee = await cardPayment(dan.accountId, 'PRET A MANGER 1234 LONDON GB', 3_20n, '5814');
    await catchUp();

    const list = async () => (await dan.api.request(CategorizedTransactionsDocument, { accountId: dan.accountId })).account!.transactions.edges.map((e) => e.node);
    const before = (await list()).find((t) => t.transferId === coffee)!;
    expect(before).toMatchObject({ accountId: dan.accountId, direction: 'DEBIT', amount: { amount: '3.20', currency: 'GBP' }, merchant: { name: expect.any(String) } });
    expect(before.category?.id).toMatch(/^FOOD_AND_DRINK/);

    const changed = (await dan.api.request(RecategorizeTransactionDocument, { transferId: coffee, accountId: dan.accountId, category: 'ENTERTAINMENT_OTHER_ENTERTAINMENT' }))
      .recategorizeTransaction;
    expect(changed).toEqual({ updated: 1, rule: null });
    expect((await list()).find((t) => t.transferId === coffee)).toMatchObject({ category: { id: 'ENTERTAINMENT_OTHER_ENTERTAINMENT' }, categorySource: 'USER' });

    const spending = (await dan.api.request(SpendingByCategoryDocument, { period: aroundToday() })).me.insights!.spendingByCategory;
    expect(spending.total).toEqual({ amount: '3.20', currency: 'GBP' });
    expect(spending.categories.map((c) => c.category.id)).toEqual(['ENTERTAINMENT']);
  });
});
