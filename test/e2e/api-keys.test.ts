import { createMeridianClient, documentIdOf } from '@meridian/client';
import { AccountsDocument } from '@meridian/client/web';
import { createWebBffServer, loadWebBffConfig } from '@meridian/bff-web';
import {
  createServiceTokenIssuer,
  loadBaseConfig,
  loadServiceSigningKeys,
  SERVICE_TOKEN_HEADER,
  type MeridianServer,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { injectFetch } from '@meridian/platform/testing';
import { startStack, type GqlResult, type Stack } from '../helpers/stack';

// API keys end to end: a customer makes one on the dashboard (after a step-up), a script
// sends it to the web BFF as `Authorization: ApiKey <key>`, and the key acts with its own
// scopes and nothing more — refused by the BFF and, called directly, by the subgraphs; it
// stops within a second of being revoked, and at its expiry; identity keeps no copy of it;
// each key has its own rate-limit bucket; the mobile BFF refuses it.

const password = 'a long and unusual passphrase';
const origin = { ip: '203.0.113.60', userAgent: 'jest', requestId: 'api-keys-e2e' };
const CREATE = `mutation C($name: String!, $scopes: [String!], $expiresAt: DateTime) {
  createApiKey(name: $name, scopes: $scopes, expiresAt: $expiresAt) { secret apiKey { id prefix scopes status } }
}`;
const REVOKE = `mutation R($id: ID!) { revokeApiKey(id: $id) { id status } }`;
const LIST = `query { apiKeys { id lastUsedAt status } }`;
const ACCOUNTS = `query { me { id accounts { id balance { available { amount currency } } } } }`;
const ACCOUNT = `query A($id: ID!) { account(id: $id) { id } }`;
const OPEN = `mutation O { openAccount(input: { type: SAVINGS, currency: GBP }) { id } }`;
const INVALID = { code: 'UNAUTHENTICATED', message: 'The API key is not valid.' };

let stack: Stack;
let gateway: ServiceTokenIssuer;
let webService: ServiceTokenIssuer;
/** A second web BFF as production runs it: trusted documents only, and a small per-key bucket. */
let strict: MeridianServer;

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
  stack = await startStack({ WEB_API_KEY_FAILED_LOOKUPS: '3' });
  const keys = (service: string) => loadServiceSigningKeys(loadBaseConfig(), service);
  // The tests call banking as the gateway would, and identity's exchange as the web BFF does, with their development keys.
  gateway = createServiceTokenIssuer({ service: 'gateway', keys: await keys('gateway') });
  webService = createServiceTokenIssuer({ service: 'bff-web', keys: await keys('bff-web') });
  const identity = `http://127.0.0.1:${portOf(stack.identity)}`;
  strict = await createWebBffServer(
    loadWebBffConfig({
      ...process.env,
      IDENTITY_URL: `${identity}/graphql`,
      IDENTITY_JWKS_URL: `${identity}/.well-known/jwks.json`,
      BANKING_URL: `http://127.0.0.1:${portOf(stack.banking)}/graphql`,
      WEB_TRUSTED_DOCUMENTS: 'required',
      RATE_LIMIT_API_KEY: '3',
    }),
    { revocations: stack.revocations },
  );
});
afterAll(async () => {
  await strict?.close();
  await stack?.close();
});

let n = 0;
/** A customer with a current account, signed in (in identity: no sign-in limits in the way) and stepped up through the mobile BFF. */
async function customer() {
  n += 1;
  const email = `apikeys.${n}.${Date.now()}@example.com`;
  const user = await stack.identity.accounts.register({ email, password, displayName: `Script Writer ${n}` }, origin);
  const account = await stack.banking.accounts.openAccount({ ownerId: user.id, type: 'CURRENT', currency: 'GBP' });
  const session = await stack.identity.sessions.login(email, password, null, origin);
  const stepped = await stack.stepUp(session.accessToken, email);
  return { email, userId: user.id, accountId: account.id, accessToken: stepped.accessToken };
}

/** Creates a key through the web BFF with the customer's (stepped-up) token. */
async function createKey(accessToken: string, variables: Record<string, unknown> = {}) {
  const res = await stack.call('web', CREATE, { name: 'Script', ...variables }, { accessToken });
  expect(res.errors).toBeUndefined();
  const created = res.data!.createApiKey as { secret: string; apiKey: { id: string; prefix: string; scopes: string[] } };
  return { key: created.secret, id: created.apiKey.id, prefix: created.apiKey.prefix };
}

/** A request as a script sends it: `Authorization: ApiKey <key>`, no cookie. */
function withKey(key: string, query: string, variables: Record<string, unknown> = {}, options: { bff?: 'web' | 'mobile'; remoteAddress?: string } = {}) {
  return stack.call(options.bff ?? 'web', query, variables, { headers: { authorization: `ApiKey ${key}` }, remoteAddress: options.remoteAddress });
}

/** The access token identity exchanges for a key, asked for as the web BFF asks. */
async function exchanged(key: string): Promise<string> {
  const res = await stack.identity.app.inject({
    method: 'POST',
    url: '/internal/identity/api-keys/exchange',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await webService('identity') },
    payload: { key },
  });
  expect(res.statusCode).toBe(200);
  return res.json().accessToken;
}

/** Banking's /graphql called directly, as the gateway would, with a user token. */
async function banking(accessToken: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const res = await stack.banking.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await gateway('banking'), authorization: `Bearer ${accessToken}` },
    payload: { query, variables },
  });
  return { status: res.statusCode, headers: res.headers, ...(JSON.parse(res.body) as object) };
}

const refusal = (res: GqlResult) => ({ status: res.status, code: res.errors?.[0]?.extensions?.code, message: res.errors?.[0]?.message });

describe('an API key on the web BFF', () => {
  it('is made on the dashboard after a step-up and reads the customer’s accounts, as a script, outside the cookie and CSRF rules', async () => {
    const { email, userId, accountId } = await customer();
    const cookie = await stack.webLogin(email, password);
    const early = await stack.call('web', CREATE, { name: 'Too early' }, { cookie });
    expect(early.errors?.[0].extensions?.code).toBe('STEP_UP_REQUIRED');
    await stack.webStepUp(cookie, email);
    const made = await stack.call('web', CREATE, { name: 'Budget export' }, { cookie });
    const { secret, apiKey } = made.data!.createApiKey;
    expect(apiKey.scopes).toEqual(['profile:read', 'accounts:read', 'payments:read', 'kyc:read', 'insights:read']);

    const read = await withKey(secret, ACCOUNTS);
    expect(read.errors).toBeUndefined();
    expect(read.data!.me).toEqual({ id: userId, accounts: [{ id: accountId, balance: { available: { amount: '0.00', currency: 'GBP' } } }] });
    // Not a browser session: the CSRF check that refuses a cookie from a foreign origin leaves a key alone...
    const crossSite = { origin: 'https://evil.example' };
    expect((await stack.call('web', ACCOUNTS, {}, { cookie, headers: crossSite })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CSRF' });
    const viaKey = await stack.call('web', ACCOUNTS, {}, { cookie, headers: { ...crossSite, authorization: `ApiKey ${secret}` } });
    expect(viaKey.data?.me.id).toBe(userId);
    // ...and the key, not the cookie's session (which holds credentials:write), decides what the request may do.
    const withCookie = await stack.call('web', REVOKE, { id: apiKey.id }, { cookie, headers: { authorization: `ApiKey ${secret}` } });
    expect(withCookie.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const listed = await stack.call('web', LIST, {}, { cookie });
    expect(listed.data!.apiKeys[0]).toMatchObject({ id: apiKey.id, status: 'ACTIVE' });
    expect(listed.data!.apiKeys[0].lastUsedAt).not.toBeNull();
  });

  it('cannot exceed its scopes: a write with a read-only key is FORBIDDEN at the BFF and, called directly, at the subgraph', async () => {
    const { userId, accessToken } = await customer();
    const { key } = await createKey(accessToken);
    const accountsOf = async () =>
      ((await stack.banking.dataSource.query(`SELECT count(*)::int AS n FROM banking.accounts WHERE owner_id = $1`, [userId])) as { n: number }[])[0].n;
    expect(await accountsOf()).toBe(1);

    const atBff = await withKey(key, OPEN);
    expect(refusal(atBff)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(atBff.errors![0].extensions?.fields).toEqual(['Mutation.openAccount']);

    const token = await exchanged(key);
    const direct = await banking(token, OPEN);
    expect(direct.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', fields: ['Mutation.openAccount'] });
    expect(await accountsOf()).toBe(1);

    // Narrower still: a key with accounts:read alone may not read the profile.
    const narrow = await createKey(accessToken, { scopes: ['accounts:read'] });
    expect(refusal(await withKey(narrow.key, `query { me { id } }`))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('cannot make keys or change credentials, even when asked for such a scope at creation', async () => {
    const { accessToken } = await customer();
    const asked = await stack.call('web', CREATE, { name: 'All powers', scopes: ['accounts:read', 'credentials:write'] }, { accessToken });
    expect(asked.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_DELEGABLE', scopes: ['credentials:write'] });
    const staffScope = await stack.call('web', CREATE, { name: 'Staff powers', scopes: ['customers:read'] }, { accessToken });
    expect(staffScope.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_DELEGABLE' });

    const { key } = await createKey(accessToken, { scopes: ['profile:read', 'profile:write', 'accounts:read', 'accounts:write'] });
    for (const operation of [
      CREATE,
      LIST,
      `mutation { changePassword(currentPassword: "${password}", newPassword: "an entirely new passphrase") }`,
      `mutation { changeEmail(newEmail: "someone.else@example.com", currentPassword: "${password}") }`,
      `mutation { requestStepUpCode(channel: EMAIL) { channel } }`,
      `mutation { enrolTotp { secret } }`,
      // Where the customer is signed in and how they sign in are theirs alone, not a script's.
      `query { me { sessions { id } } }`,
      `query { me { mfa { totpEnabled } } }`,
    ]) {
      const res = await withKey(key, operation, { name: 'From a key' });
      expect({ operation, code: res.errors?.[0].extensions?.code }).toEqual({ operation, code: 'FORBIDDEN' });
    }
  });

  it('is refused within a second of being revoked, by the BFF and by every verifier of its tokens', async () => {
    const { accessToken, accountId } = await customer();
    const { key, id } = await createKey(accessToken);
    // An address per request: the refusals below must not add up to the limit on failed lookups.
    let polls = 0;
    const address = () => `198.51.101.${++polls}`;
    expect((await withKey(key, ACCOUNT, { id: accountId }, { remoteAddress: address() })).data?.account.id).toBe(accountId);
    const token = await exchanged(key);
    expect((await banking(token, ACCOUNT, { id: accountId })).data?.account.id).toBe(accountId);

    const revoked = await stack.call('web', REVOKE, { id }, { accessToken });
    expect(revoked.data?.revokeApiKey.status).toBe('REVOKED');
    const since = Date.now();
    const answers = async () => {
      const [viaKey, viaMobile, direct] = await Promise.all([
        withKey(key, ACCOUNT, { id: accountId }, { remoteAddress: address() }),
        stack.call('mobile', ACCOUNT, { id: accountId }, { accessToken: token }),
        banking(token, ACCOUNT, { id: accountId }),
      ]);
      return {
        web: refusal(viaKey),
        mobile: viaMobile.errors?.[0].extensions?.reason ?? 'ANSWERED',
        banking: direct.errors?.[0].extensions?.reason ?? 'ANSWERED',
      };
    };
    const ended = { web: { status: 401, ...INVALID }, mobile: 'SESSION_ENDED', banking: 'SESSION_ENDED' };
    let latest = await answers();
    while (JSON.stringify(latest) !== JSON.stringify(ended) && Date.now() - since < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      latest = await answers();
    }
    expect(latest).toEqual(ended);
    expect(Date.now() - since).toBeLessThanOrEqual(1_200);
  });

  it('is refused once it has expired, with the same answer as an unknown key', async () => {
    const { accessToken, accountId } = await customer();
    const { key, id, prefix } = await createKey(accessToken);
    const address = '198.51.100.22';
    // Three seconds left: the tokens exchanged for it never outlive it.
    await stack.identity.dataSource.query(`UPDATE identity.api_keys SET created_at = now() - interval '1 day', expires_at = now() + interval '3 seconds' WHERE id = $1`, [id]);
    expect((await withKey(key, ACCOUNT, { id: accountId }, { remoteAddress: address })).data?.account.id).toBe(accountId);
    const [{ expires_at: expiresAt }] = await stack.identity.dataSource.query(`SELECT expires_at FROM identity.api_keys WHERE id = $1`, [id]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, new Date(expiresAt).getTime() - Date.now()) + 100));
    expect(refusal(await withKey(key, ACCOUNT, { id: accountId }, { remoteAddress: address }))).toEqual({ status: 401, ...INVALID });
    const unknown = `${prefix.slice(0, -1)}${prefix.endsWith('0') ? '1' : '0'}_${key.slice(-43)}`;
    expect(refusal(await withKey(unknown, ACCOUNT, { id: accountId }, { remoteAddress: address }))).toEqual({ status: 401, ...INVALID });
  });

  it('leaves no copy of the key in identity’s tables: neither the key nor its secret part', async () => {
    const { accessToken } = await customer();
    const { key, prefix } = await createKey(accessToken);
    await withKey(key, `query { me { id } }`);
    const tables = (await stack.identity.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'identity' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toContain('api_keys');
    const found = async (text: string) => {
      const hits: string[] = [];
      for (const { table_name: table } of tables) {
        const [{ n: count }] = await stack.identity.dataSource.query(`SELECT count(*)::int AS n FROM identity."${table}" AS row WHERE strpos(row::text, $1) > 0`, [text]);
        if (count > 0) hits.push(table);
      }
      return hits;
    };
    expect(await found(key)).toEqual([]);
    expect(await found(key.slice(prefix.length + 1))).toEqual([]);
    // The scan reads every row: the public part of the key is where it is expected.
    expect(await found(prefix.slice('mk_live_'.length))).toEqual(['api_keys', 'audit_events']);
  });

  it('has a rate-limit bucket of its own, and the web BFF keeps trusted documents for it', async () => {
    const { accessToken, userId } = await customer();
    const first = await createKey(accessToken);
    const second = await createKey(accessToken);
    const send = (key: string, body: Record<string, unknown>) =>
      strict.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `ApiKey ${key}` }, payload: body });

    const freeText = await send(first.key, { query: ACCOUNTS });
    expect(freeText.statusCode).toBe(400);
    expect(freeText.json().errors[0].extensions.code).toBe('PERSISTED_QUERY_ID_REQUIRED');

    // A script on the typed client, sending the dashboard's trusted documents with its key.
    const api = createMeridianClient({ url: 'https://bank.example/graphql', client: 'web', fetch: injectFetch(strict.app), headers: () => ({ authorization: `ApiKey ${first.key}` }) });
    for (let i = 0; i < 3; i++) expect((await api.request(AccountsDocument)).me.id).toBe(userId);
    const accounts = { documentId: documentIdOf(AccountsDocument), variables: {} };
    const limited = await send(first.key, accounts);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another key of the same customer, and the customer's own sign-in, count apart.
    expect((await send(second.key, accounts)).json().data.me.id).toBe(userId);
    const signedIn = await strict.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      payload: accounts,
    });
    expect(signedIn.json().data.me.id).toBe(userId);

    // Limits on the operation apply as to anyone: too deep is refused before anything runs.
    const deep = `query { me { ${'accounts { owner { '.repeat(8)}id${' } }'.repeat(8)} } }`;
    expect((await withKey(second.key, deep)).errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('counts failed lookups per address: past the limit even a valid key is refused from there, not from elsewhere', async () => {
    const { accessToken } = await customer();
    const { key, prefix } = await createKey(accessToken);
    const address = '198.51.100.23';
    for (let i = 0; i < 3; i++) {
      const wrong = `${prefix}_${String(i).repeat(43)}`;
      expect(refusal(await withKey(wrong, `query { me { id } }`, {}, { remoteAddress: address }))).toEqual({ status: 401, ...INVALID });
    }
    const blocked = await withKey(key, `query { me { id } }`, {}, { remoteAddress: address });
    expect(blocked.status).toBe(429);
    expect(blocked.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await withKey(key, `query { me { id } }`, {}, { remoteAddress: '198.51.100.24' })).data?.me.id).toBeDefined();
  });

  it('is refused by the mobile BFF, which takes only the bearer tokens of a sign-in', async () => {
    const { accessToken } = await customer();
    const { key } = await createKey(accessToken);
    const res = await withKey(key, `query { me { id } }`, {}, { bff: 'mobile' });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'API_KEY_NOT_ACCEPTED' });
    expect(res.errors?.[0].message).toMatch(/web API/);
    const upload = await stack.mobile.app.inject({ method: 'POST', url: '/uploads', headers: { authorization: `ApiKey ${key}` } });
    expect(upload.statusCode).toBe(401);
  });
});
