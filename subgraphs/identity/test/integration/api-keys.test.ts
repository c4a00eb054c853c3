import { createMemorySessionRevocations, SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { decodeJwt } from 'jose';
import { newUser, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// API keys inside identity: who may make one and with which scopes, what is
// kept of it (never the key), revoking it (the revocation list included), and
// the internal exchange the web BFF calls, open only to IDENTITY_API_KEY_CALLERS.

const ORIGIN = { ip: '203.0.113.7', userAgent: 'jest', requestId: 'api-keys' };
const CREATE = `mutation C($name: String!, $scopes: [String!], $expiresAt: DateTime) {
  createApiKey(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
    secret
    apiKey { id name prefix scopes createdAt expiresAt lastUsedAt revokedAt status }
  }
}`;
const LIST = `query { apiKeys { id name prefix scopes expiresAt lastUsedAt revokedAt status } }`;
const REVOKE = `mutation R($id: ID!) { revokeApiKey(id: $id) { id status revokedAt } }`;
const ME = `query { me { id email } }`;
const READ_ONLY = ['profile:read', 'accounts:read', 'payments:read', 'kyc:read', 'insights:read'];
const KEY_SHAPE = /^mk_live_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

const revocations = createMemorySessionRevocations();
let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity({}, { revocations });
});
afterAll(async () => {
  await h.close();
  await revocations.close();
});

/** A customer signed in and stepped up (a second factor just given), as creating a key needs. */
async function customer(roles?: ('CUSTOMER' | 'SUPPORT' | 'ADMIN')[]) {
  const user = newUser();
  const record = await h.server.accounts.register({ ...user, phone: null }, ORIGIN, roles);
  const session = await h.signIn(user.email, user.password);
  const stepped = roles?.some((r) => r !== 'CUSTOMER') ? session : await h.stepUp(session.accessToken, user.email);
  return { id: record.id, email: user.email, password: user.password, plain: session.accessToken, token: stepped.accessToken };
}

async function createKey(token: string, variables: Record<string, unknown> = {}) {
  const res = await h.gql(CREATE, { name: 'Budget script', ...variables }, { accessToken: token });
  expect(res.errors).toBeUndefined();
  return res.data!.createApiKey as { secret: string; apiKey: { id: string; prefix: string; scopes: string[]; expiresAt: string; status: string } };
}

/** The internal exchange, as a service calls it. */
async function exchange(key: unknown, caller = 'bff-web') {
  const res = await h.server.app.inject({
    method: 'POST',
    url: '/internal/identity/api-keys/exchange',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await h.serviceKeys.issuerFor(caller)('identity') },
    payload: { key },
  });
  return { status: res.statusCode, body: res.json() };
}

async function auditOf(type: string, userId: string) {
  return (await h.server.dataSource.query(`SELECT details FROM identity.audit_events WHERE type = $1 AND user_id = $2 ORDER BY id`, [type, userId])) as {
    details: Record<string, unknown>;
  }[];
}

describe('creating an API key', () => {
  it('needs a recent second factor, answers the key once, read-only by default, and audits it without the key', async () => {
    const me = await customer();
    const keysBefore = await h.count('api_keys');
    const refused = await h.gql(CREATE, { name: 'Too soon' }, { accessToken: me.plain });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', action: 'createApiKey' });
    expect(await h.count('api_keys')).toBe(keysBefore);

    const before = Date.now();
    const { secret, apiKey } = await createKey(me.token);
    expect(secret).toMatch(KEY_SHAPE);
    expect(secret.startsWith(`${apiKey.prefix}_`)).toBe(true);
    expect(apiKey.scopes).toEqual(READ_ONLY);
    expect(apiKey.status).toBe('ACTIVE');
    const days = (Date.parse(apiKey.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);

    const [entry] = await auditOf('API_KEY_CREATED', me.id);
    expect(entry.details).toMatchObject({ apiKeyId: apiKey.id, prefix: apiKey.prefix, scopes: READ_ONLY, name: 'Budget script' });
    expect(JSON.stringify(entry.details)).not.toContain(secret.slice(apiKey.prefix.length + 1));
  });

  it('gives a key only the customer’s own scopes they hold, never credentials or staff ones, and stores nothing when it refuses', async () => {
    const me = await customer();
    const keysBefore = await h.count('api_keys');
    const auditBefore = await h.count('audit_events');
    const attempt = async (variables: Record<string, unknown>) => (await h.gql(CREATE, { name: 'Refused', ...variables }, { accessToken: me.token })).errors?.[0].extensions;
    expect(await attempt({ scopes: ['accounts:read', 'credentials:write'] })).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_DELEGABLE', scopes: ['credentials:write'] });
    expect(await attempt({ scopes: ['customers:read'] })).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_DELEGABLE', scopes: ['customers:read'] });
    expect(await attempt({ scopes: ['staff:manage'] })).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_NOT_DELEGABLE' });
    expect(await attempt({ scopes: ['accounts:admin'] })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_SCOPE', field: 'scopes' });
    expect(await attempt({ expiresAt: new Date(Date.now() - 1000).toISOString() })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
    expect(await attempt({ expiresAt: new Date(Date.now() + 366 * 86_400_000).toISOString() })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
    expect(await attempt({ name: '  ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(await h.count('api_keys')).toBe(keysBefore);
    expect(await h.count('audit_events')).toBe(auditBefore);

    const { apiKey } = await createKey(me.token, { scopes: ['payments:write', 'accounts:read', 'accounts:read'], expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    expect(apiKey.scopes).toEqual(['accounts:read', 'payments:write']);
  });

  it('is for customers: staff, whose sign-in holds credentials:write, are refused', async () => {
    const support = await customer(['SUPPORT']);
    const res = await h.gql(CREATE, { name: 'Staff key', scopes: ['profile:read'] }, { accessToken: support.token });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('listing and revoking keys', () => {
  it('lists the customer’s own keys without a secret; a revoked key goes on the revocation list and stays listed as REVOKED', async () => {
    const me = await customer();
    const other = await customer();
    const first = await createKey(me.token, { name: 'First' });
    const second = await createKey(me.token, { name: 'Second' });
    const theirs = await createKey(other.token);

    const listed = await h.gql(LIST, {}, { accessToken: me.plain });
    expect(listed.data!.apiKeys.map((k: { id: string }) => k.id)).toEqual([second.apiKey.id, first.apiKey.id]);
    expect(JSON.stringify(listed.data)).not.toContain(first.secret.slice(-43));

    expect((await h.gql(REVOKE, { id: theirs.apiKey.id }, { accessToken: me.plain })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await h.gql(REVOKE, { id: 'not-a-key' }, { accessToken: me.plain })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(revocations.isRevoked(theirs.apiKey.id)).toBe(false);

    const revoked = await h.gql(REVOKE, { id: first.apiKey.id }, { accessToken: me.plain });
    expect(revoked.data!.revokeApiKey).toMatchObject({ id: first.apiKey.id, status: 'REVOKED' });
    expect(revocations.isRevoked(first.apiKey.id)).toBe(true);
    const again = await h.gql(REVOKE, { id: first.apiKey.id }, { accessToken: me.plain });
    expect(again.data!.revokeApiKey.revokedAt).toBe(revoked.data!.revokeApiKey.revokedAt);
    expect(await auditOf('API_KEY_REVOKED', me.id)).toEqual([{ details: { apiKeyId: first.apiKey.id, prefix: first.apiKey.prefix, reason: 'REVOKED' } }]);

    const after = await h.gql(LIST, {}, { accessToken: me.plain });
    expect(after.data!.apiKeys.map((k: { status: string }) => k.status)).toEqual(['ACTIVE', 'REVOKED']);
  });

  it('a password reset revokes every key of the account, audited with the reason', async () => {
    const me = await customer();
    const { apiKey } = await createKey(me.token);
    expect((await h.gql(`mutation P($e: String!) { requestPasswordReset(email: $e) }`, { e: me.email })).errors).toBeUndefined();
    const code = (await h.latestMail(me.email, 'identity.password_reset'))!.data!.code;
    const reset = await h.gql(`mutation W($e: String!, $c: String!, $p: String!) { resetPasswordWithCode(email: $e, code: $c, newPassword: $p) }`, {
      e: me.email,
      c: code,
      p: 'an entirely different passphrase',
    });
    expect(reset.errors).toBeUndefined();
    expect(revocations.isRevoked(apiKey.id)).toBe(true);
    expect((await auditOf('API_KEY_REVOKED', me.id)).map((e) => e.details)).toEqual([{ apiKeyId: apiKey.id, prefix: apiKey.prefix, reason: 'PASSWORD_RESET' }]);
    expect((await auditOf('PASSWORD_RESET', me.id))[0].details).toMatchObject({ apiKeysRevoked: 1 });
  });
});

describe('the exchange (internal, for the web BFF)', () => {
  it('answers a short-lived token of the key: its owner, the key’s id as sid, its scopes, amr api_key', async () => {
    const me = await customer();
    const { secret, apiKey } = await createKey(me.token, { scopes: ['profile:read', 'accounts:read'] });
    const res = await exchange(secret);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ keyId: apiKey.id, userId: me.id, scopes: ['profile:read', 'accounts:read'] });
    const claims = decodeJwt(res.body.accessToken);
    expect(claims).toMatchObject({ sub: me.id, sid: apiKey.id, scope: 'profile:read accounts:read', amr: ['api_key'] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);

    // Identity itself treats the token as its scopes say: a read works, key management does not.
    expect((await h.gql(ME, {}, { accessToken: res.body.accessToken })).data?.me.id).toBe(me.id);
    const create = await h.gql(CREATE, { name: 'From a key' }, { accessToken: res.body.accessToken });
    expect(create.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const list = await h.gql(LIST, {}, { accessToken: res.body.accessToken });
    expect(list.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const stepUp = await h.gql(`mutation { requestStepUpCode(channel: EMAIL) { channel } }`, {}, { accessToken: res.body.accessToken });
    expect(stepUp.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses malformed, unknown, wrong, revoked and expired keys with one message, and anyone but the web BFF', async () => {
    const me = await customer();
    const live = await createKey(me.token);
    const revoked = await createKey(me.token);
    const expired = await createKey(me.token);
    await h.gql(REVOKE, { id: revoked.apiKey.id }, { accessToken: me.plain });
    await h.server.dataSource.query(`UPDATE identity.api_keys SET created_at = now() - interval '1 day', expires_at = now() - interval '1 second' WHERE id = $1`, [expired.apiKey.id]);
    const wrongSecret = `${live.apiKey.prefix}_${'B'.repeat(43)}`;
    const unknownPrefix = `mk_live_${'f'.repeat(16)}_${live.secret.slice(-43)}`;
    for (const key of ['mk_live_nope', wrongSecret, unknownPrefix, revoked.secret, expired.secret, `${live.secret} `]) {
      const res = await exchange(key);
      expect({ key, status: res.status, error: res.body.errors?.[0] }).toEqual({
        key,
        status: 401,
        error: { message: 'The API key is not valid.', extensions: { code: 'UNAUTHENTICATED' } },
      });
    }
    expect((await exchange(live.secret, 'payments')).status).toBe(403);
    expect((await exchange(live.secret, 'bff-mobile')).status).toBe(403);
    expect((await exchange(live.secret)).status).toBe(200);
  });

  it('moves lastUsedAt at most once a minute; a staff lock revokes the owner’s keys', async () => {
    const me = await customer();
    const { secret, apiKey } = await createKey(me.token);
    const lastUsed = async () =>
      ((await h.server.dataSource.query(`SELECT last_used_at FROM identity.api_keys WHERE id = $1`, [apiKey.id])) as { last_used_at: Date | null }[])[0].last_used_at;
    expect(await lastUsed()).toBeNull();
    expect((await exchange(secret)).status).toBe(200);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    expect((await exchange(secret)).status).toBe(200);
    expect(await lastUsed()).toEqual(first);
    await h.server.dataSource.query(`UPDATE identity.api_keys SET last_used_at = last_used_at - interval '61 seconds' WHERE id = $1`, [apiKey.id]);
    const used = await h.server.app.inject({
      method: 'POST',
      url: '/internal/identity/api-keys/used',
      headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await h.serviceKeys.issuerFor('bff-web')('identity') },
      payload: { keyIds: [apiKey.id] },
    });
    expect(used.statusCode).toBe(204);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(first!.getTime());

    const support = await customer(['SUPPORT']);
    const lock = await h.gql(`mutation K($id: ID!) { lockUser(userId: $id, reason: "Suspected takeover") { status } }`, { id: me.id }, { accessToken: support.token });
    expect(lock.data?.lockUser.status).toBe('LOCKED');
    expect(revocations.isRevoked(apiKey.id)).toBe(true);
    expect((await auditOf('API_KEY_REVOKED', me.id)).map((e) => e.details.reason)).toEqual(['USER_LOCKED']);
    expect((await exchange(secret)).status).toBe(401);
  });
});
