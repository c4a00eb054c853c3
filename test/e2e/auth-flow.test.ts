import path from 'node:path';
import { loadKeySet } from '@meridian/platform';
import { loadIdentityConfig } from '@meridian/identity';
import { forgeTokens } from '../helpers/forged-tokens';
import { startStack, type Stack } from '../helpers/stack';

const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { id email displayName } }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken refreshToken expiresAt user { id email } } }`;
const REFRESH = `mutation F($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const LOGOUT = `mutation O($t: String) { logout(refreshToken: $t) }`;
const ME = `query Me { me { id email displayName roles status } }`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe.each(['web', 'mobile'] as const)('through the %s BFF', (bff) => {
  const email = `${bff}.flow.${Date.now()}@example.com`;
  const password = 'a long and unusual passphrase';

  it('register → login → me → refresh → reuse revokes the family → logout', async () => {
    const registered = await stack.call(bff, REGISTER, { input: { email, password, displayName: `${bff} user` } });
    expect(registered.errors).toBeUndefined();
    const userId = registered.data!.register.id;

    const login = await stack.call(bff, LOGIN, { input: { email, password, deviceId: `${bff}-device` } });
    expect(login.errors).toBeUndefined();
    const first = login.data!.login;
    expect(first.user.id).toBe(userId);

    const me = await stack.call(bff, ME, {}, { accessToken: first.accessToken });
    expect(me.data?.me).toMatchObject({ id: userId, email, roles: ['CUSTOMER'], status: 'ACTIVE' });

    const refreshed = await stack.call(bff, REFRESH, { t: first.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    const second = refreshed.data!.refreshSession;
    expect((await stack.call(bff, ME, {}, { accessToken: second.accessToken })).data?.me.id).toBe(userId);

    const reuse = await stack.call(bff, REFRESH, { t: first.refreshToken });
    expect(reuse.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const revoked = await stack.call(bff, REFRESH, { t: second.refreshToken });
    expect(revoked.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const third = (await stack.call(bff, LOGIN, { input: { email, password } })).data!.login;
    expect((await stack.call(bff, LOGOUT, { t: third.refreshToken })).data?.logout).toBe(true);
    expect((await stack.call(bff, REFRESH, { t: third.refreshToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const audit: { type: string }[] = await stack.identity.dataSource.query(
      `SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    expect(audit.map((a) => a.type)).toEqual([
      'REGISTERED',
      'LOGIN_SUCCEEDED',
      'SESSION_REFRESHED',
      'REFRESH_TOKEN_REUSED',
      'LOGIN_SUCCEEDED',
      'LOGGED_OUT',
    ]);
  });

  it.each([
    ['malformed email', { email: 'nope', password, displayName: 'X' }, 'BAD_USER_INPUT'],
    ['weak password', { email: `weak.${bff}@example.com`, password: 'short', displayName: 'X' }, 'BAD_USER_INPUT'],
  ])('refuses a %s with %s and writes nothing', async (_name, input, code) => {
    const [{ n: before }] = await stack.identity.dataSource.query(`SELECT count(*)::int AS n FROM identity.users`);
    const res = await stack.call(bff, REGISTER, { input });
    expect(res.errors?.[0].extensions?.code).toBe(code);
    const [{ n: after }] = await stack.identity.dataSource.query(`SELECT count(*)::int AS n FROM identity.users`);
    expect(after).toBe(before);
  });

  it('refuses a duplicate email with CONFLICT and a wrong password with UNAUTHENTICATED', async () => {
    const dup = await stack.call(bff, REGISTER, { input: { email: email.toUpperCase(), password, displayName: 'Again' } });
    expect(dup.errors?.[0].extensions?.code).toBe('CONFLICT');
    const wrong = await stack.call(bff, LOGIN, { input: { email, password: 'definitely not it' } });
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(wrong.data ?? null).toBeNull();
  });

  it('refuses forged access tokens with UNAUTHENTICATED, leaking nothing internal', async () => {
    const config = loadIdentityConfig();
    const keys = await loadKeySet({ file: path.join(config.DATA_DIR, 'keys', 'identity-signing.json'), allowGenerate: false, settingName: 'test' });
    const forged = await forgeTokens(keys, { issuer: config.ACCESS_TOKEN_ISSUER, audience: config.ACCESS_TOKEN_AUDIENCE }, '00000000-0000-7000-8000-000000000001');
    for (const kind of ['expired', 'algNone', 'hs256WithPublicKey', 'unknownKid', 'wrongIssuer', 'wrongAudience', 'tampered'] as const) {
      const res = await stack.call(bff, ME, {}, { accessToken: forged[kind] });
      expect({ kind, code: res.errors?.[0].extensions?.code }).toEqual({ kind, code: 'UNAUTHENTICATED' });
      const body = JSON.stringify(res);
      expect(body).not.toMatch(/127\.0\.0\.1|serviceName|stacktrace|identity/i);
    }
  });
});
