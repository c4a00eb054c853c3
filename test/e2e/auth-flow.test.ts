import path from 'node:path';
import { loadKeySet } from '@meridian/platform';
import { loadIdentityConfig } from '@meridian/identity';
import { forgeTokens } from '../helpers/forged-tokens';
import { startStack, WEB_HOST, WEB_ORIGIN, type Stack } from '../helpers/stack';

const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { email verificationSent } }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken refreshToken expiresAt user { id email } } }`;
const REFRESH = `mutation F($t: String!, $d: String) { refreshSession(refreshToken: $t, deviceId: $d) { accessToken refreshToken } }`;
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

  if (bff === 'mobile') {
    it('register → login → me → refresh → reuse revokes the family → logout', async () => {
      const registered = await stack.call(bff, REGISTER, { input: { email, password, displayName: `${bff} user` } });
      expect(registered.errors).toBeUndefined();
      expect(registered.data!.register).toEqual({ email, verificationSent: true });
      const userId = await stack.userIdOf(email);

      // The session is bound to the device it signs in on: its refreshes present the same device id.
      const device = `${bff}-device`;
      const login = await stack.call(bff, LOGIN, { input: { email, password, deviceId: device } });
      expect(login.errors).toBeUndefined();
      const first = login.data!.login;
      expect(first.user.id).toBe(userId);

      const me = await stack.call(bff, ME, {}, { accessToken: first.accessToken });
      expect(me.data?.me).toMatchObject({ id: userId, email, roles: ['CUSTOMER'], status: 'ACTIVE' });

      const refreshed = await stack.call(bff, REFRESH, { t: first.refreshToken, d: device });
      expect(refreshed.errors).toBeUndefined();
      const second = refreshed.data!.refreshSession;
      expect((await stack.call(bff, ME, {}, { accessToken: second.accessToken })).data?.me.id).toBe(userId);

      const reuse = await stack.call(bff, REFRESH, { t: first.refreshToken, d: device });
      expect(reuse.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      const revoked = await stack.call(bff, REFRESH, { t: second.refreshToken, d: device });
      expect(revoked.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

      const third = (await stack.call(bff, LOGIN, { input: { email, password, deviceId: 'mobile-device-2' } })).data!.login;
      expect((await stack.call(bff, LOGOUT, { t: third.refreshToken })).data?.logout).toBe(true);
      expect((await stack.call(bff, REFRESH, { t: third.refreshToken, d: 'mobile-device-2' })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

      const audit: { type: string }[] = await stack.identity.dataSource.query(
        `SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`,
        [userId],
      );
      expect(audit.map((a) => a.type)).toEqual([
        'REGISTERED',
        'EMAIL_VERIFICATION_SENT',
        'LOGIN_SUCCEEDED',
        'SESSION_REFRESHED',
        'REFRESH_TOKEN_REUSED',
        'LOGIN_SUCCEEDED',
        'LOGGED_OUT',
      ]);
    });
  } else {
    it('register → sign in with the session cookie → me → sign out; the graph never hands the browser tokens', async () => {
      const registered = await stack.call(bff, REGISTER, { input: { email, password, displayName: `${bff} user` } });
      expect(registered.errors).toBeUndefined();
      const userId = await stack.userIdOf(email);

      const tokens = await stack.call(bff, LOGIN, { input: { email, password } });
      expect(tokens.status).toBe(403);
      expect(tokens.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WEB_SESSION_ONLY' });
      expect(tokens.data ?? null).toBeNull();

      const cookie = await stack.webLogin(email, password);
      const me = await stack.call(bff, ME, {}, { cookie });
      expect(me.data?.me).toMatchObject({ id: userId, email, roles: ['CUSTOMER'], status: 'ACTIVE' });

      const out = await stack.web.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json' }, payload: {} });
      expect(out.json()).toEqual({ loggedOut: true });
      expect((await stack.call(bff, ME, {}, { cookie })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

      const audit: { type: string }[] = await stack.identity.dataSource.query(
        `SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`,
        [userId],
      );
      expect(audit.map((a) => a.type)).toEqual(['REGISTERED', 'EMAIL_VERIFICATION_SENT', 'LOGIN_SUCCEEDED', 'LOGGED_OUT']);
    });
  }

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

  it('answers a registered email as a new one (telling its owner by email) and refuses a wrong password with UNAUTHENTICATED', async () => {
    const dup = await stack.call(bff, REGISTER, { input: { email: email.toUpperCase(), password, displayName: 'Again' } });
    expect(dup.errors).toBeUndefined();
    expect(dup.data!.register).toEqual({ email, verificationSent: true });
    expect(await stack.latestMail(email, 'identity.registration_duplicate')).toBeDefined();
    if (bff === 'mobile') {
      const wrong = await stack.call(bff, LOGIN, { input: { email, password: 'definitely not it', deviceId: 'mobile-device-3' } });
      expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(wrong.data ?? null).toBeNull();
    } else {
      await expect(stack.webLogin(email, 'definitely not it')).rejects.toThrow(/401.*UNAUTHENTICATED/);
    }
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

describe('the mobile app’s device', () => {
  it('must be named at sign-in and refresh: without a device id the mobile BFF refuses before identity is asked', async () => {
    const email = `device.${Date.now()}@example.com`;
    const password = 'a long and unusual passphrase';
    // An address of its own: sign-in attempts are limited per address.
    const remoteAddress = '10.77.0.1';
    expect((await stack.call('mobile', REGISTER, { input: { email, password, displayName: 'Phone user' } }, { remoteAddress })).errors).toBeUndefined();
    const userId = await stack.userIdOf(email);
    for (const input of [{ email, password }, { email, password, deviceId: 'short' }, { email, password, deviceId: 'has spaces in it' }]) {
      const res = await stack.call('mobile', LOGIN, { input }, { remoteAddress });
      expect(res.status).toBe(400);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deviceId' });
    }
    const session = (await stack.call('mobile', LOGIN, { input: { email, password, deviceId: 'pixel-9-install-1' } }, { remoteAddress })).data!.login;
    const bare = await stack.call('mobile', `mutation F($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`, { t: session.refreshToken }, { remoteAddress });
    expect(bare.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deviceId' });
    const audit: { type: string }[] = await stack.identity.dataSource.query(`SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`, [userId]);
    expect(audit.map((a) => a.type)).toEqual(['REGISTERED', 'EMAIL_VERIFICATION_SENT', 'LOGIN_SUCCEEDED']);
    // The refused refresh never reached identity, so the token is still good on its own device.
    const ok = await stack.call('mobile', REFRESH, { t: session.refreshToken, d: 'pixel-9-install-1' }, { remoteAddress });
    expect(ok.errors).toBeUndefined();
  });
});
