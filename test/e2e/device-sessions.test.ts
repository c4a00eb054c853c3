import { startStack, WEB_HOST, WEB_ORIGIN, type GqlResult, type Stack } from '../helpers/stack';

// The operations the apps send (the mobile app's MySessions, RevokeSession and RefreshSession).
const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { email } }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }`;
const REFRESH = `mutation RefreshSession($refreshToken: String!, $deviceId: String) {
  refreshSession(refreshToken: $refreshToken, deviceId: $deviceId) { accessToken refreshToken }
}`;
const MY_SESSIONS = `query MySessions { me { id sessions { id deviceId userAgent createdAt lastActiveAt expiresAt current } } }`;
const REVOKE = `mutation RevokeSession($id: ID!) { revokeSession(id: $id) }`;

const IPHONE = 'MeridianApp/3.1 (iPhone; iOS 18.1)';
const PIXEL = 'MeridianApp/3.1 (Pixel 9; Android 15)';
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/131.0';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const codeOf = (res: GqlResult) => res.errors?.[0].extensions?.code;

describe('device sessions through the BFFs', () => {
  const password = 'a long and unusual passphrase';
  const email = `devices.${Date.now()}@example.com`;
  const other = `devices.other.${Date.now()}@example.com`;

  async function login(who: string, userAgent: string, deviceId: string) {
    const res = await stack.call('mobile', LOGIN, { input: { email: who, password, deviceId } }, { headers: { 'user-agent': userAgent } });
    expect(res.errors).toBeUndefined();
    return res.data!.login as { accessToken: string; refreshToken: string; user: { id: string } };
  }

  it('lists the devices, revokes one, and binds refresh tokens to their device', async () => {
    for (const address of [email, other]) {
      const res = await stack.call('mobile', REGISTER, { input: { email: address, password, displayName: 'Device Owner' } });
      expect(res.errors).toBeUndefined();
    }
    const iphone = await login(email, IPHONE, 'iphone-7f3a');
    const pixel = await login(email, PIXEL, 'pixel-19c2');
    // The web dashboard signs in without a device id: its session is not bound to one.
    const signIn = await stack.web.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN, 'user-agent': BROWSER },
      payload: { email, password },
    });
    expect(signIn.statusCode).toBe(200);
    const userId = iphone.user.id;

    const listed = await stack.call('mobile', MY_SESSIONS, {}, { accessToken: iphone.accessToken });
    expect(listed.errors).toBeUndefined();
    const sessions = listed.data!.me.sessions as { id: string; deviceId: string | null; userAgent: string; current: boolean }[];
    expect(sessions.map((s) => [s.deviceId, s.userAgent, s.current])).toEqual([
      [null, BROWSER, false],
      ['pixel-19c2', PIXEL, false],
      ['iphone-7f3a', IPHONE, true],
    ]);
    const browserSessionId = sessions[0].id;

    // Someone else cannot end it, and learns nothing from trying.
    const intruder = await login(other, IPHONE, 'intruder');
    const pixelId = sessions[1].id;
    const refused = await stack.call('mobile', REVOKE, { id: pixelId }, { accessToken: intruder.accessToken });
    expect(codeOf(refused)).toBe('NOT_FOUND');
    expect(JSON.stringify(refused)).not.toContain(pixelId);

    // The owner ends the Pixel's session from the iPhone.
    const revoked = await stack.call('mobile', REVOKE, { id: pixelId }, { accessToken: iphone.accessToken });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeSession).toBe(true);
    const pixelRefresh = await stack.call('mobile', REFRESH, { refreshToken: pixel.refreshToken, deviceId: 'pixel-19c2' });
    expect(codeOf(pixelRefresh)).toBe('UNAUTHENTICATED');

    // The iPhone refreshes with its own device id and moves to the top of the list.
    const iphoneRefresh = await stack.call('mobile', REFRESH, { refreshToken: iphone.refreshToken, deviceId: 'iphone-7f3a' });
    expect(iphoneRefresh.errors).toBeUndefined();
    const after = await stack.call('mobile', MY_SESSIONS, {}, { accessToken: iphoneRefresh.data!.refreshSession.accessToken });
    expect((after.data!.me.sessions as { id: string; deviceId: string | null; current: boolean }[]).map((s) => [s.id, s.deviceId, s.current])).toEqual([
      [sessions[2].id, 'iphone-7f3a', true],
      [browserSessionId, null, false],
    ]);

    // The iPhone's newest refresh token, presented from another device, ends the iPhone's session.
    const stolen = await stack.call('mobile', REFRESH, {
      refreshToken: iphoneRefresh.data!.refreshSession.refreshToken,
      deviceId: 'attacker-phone',
    });
    expect(codeOf(stolen)).toBe('UNAUTHENTICATED');
    const rightful = await stack.call('mobile', REFRESH, {
      refreshToken: iphoneRefresh.data!.refreshSession.refreshToken,
      deviceId: 'iphone-7f3a',
    });
    expect(codeOf(rightful)).toBe('UNAUTHENTICATED');

    const audit: { type: string }[] = await stack.identity.dataSource.query(
      `SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    expect(audit.map((a) => a.type)).toEqual([
      'REGISTERED',
      'EMAIL_VERIFICATION_SENT',
      'LOGIN_SUCCEEDED',
      'LOGIN_SUCCEEDED',
      'LOGIN_SUCCEEDED',
      'SESSION_REVOKED',
      'SESSION_REFRESHED',
      'REFRESH_DEVICE_MISMATCH',
    ]);
  });
});
