import { randomUUID } from 'node:crypto';
import { mfaChallengeOf, stepUpChallengeOf } from '@meridian/client';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { startStack, WEB_HOST, WEB_ORIGIN, type GqlResult, type Stack } from '../helpers/stack';

// Second factors through both BFFs, with identity's emails read from the dev mailbox and TOTP
// codes computed from the enrolled secret as an authenticator app would: MFA at sign-in, step-up
// before adding a payee, recovery codes, emailed codes, the wrong-guess limit and staff sign-in.

const PASSWORD = 'a long and unusual passphrase';
const SESSION = `accessToken refreshToken expiresAt amr authTime user { id }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { ${SESSION} } }`;
const COMPLETE = `mutation C($t: String!, $m: MfaMethod!, $c: String!, $d: String) { completeSignIn(mfaToken: $t, method: $m, code: $c, deviceId: $d) { ${SESSION} } }`;
const SEND = `mutation S($t: String!, $ch: MfaChannel!) { sendSignInCode(mfaToken: $t, channel: $ch) { channel sentTo } }`;
const ENROL = `mutation { enrolTotp { secret uri qrCode } }`;
const CONFIRM = `mutation F($code: String!) { confirmTotp(code: $code) { codes } }`;
const STEP_UP_CODE = `mutation R($ch: MfaChannel!) { requestStepUpCode(channel: $ch) { channel } }`;
const STEP_UP = `mutation U($m: MfaMethod!, $c: String!) { stepUp(method: $m, code: $c) { ${SESSION} } }`;
const REFRESH = `mutation F($t: String!, $d: String) { refreshSession(refreshToken: $t, deviceId: $d) { accessToken amr authTime } }`;
const ME = `query { me { id mfa { totpEnabled recoveryCodesLeft methods required } } }`;
const PAYEE = `mutation P($input: CreatePayeeInput!) { createPayee(input: $input) { id name } }`;
const payee = { name: 'Landlord Ltd', sortCode: '60-16-13', accountNumber: '31926819' };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

// Sign-ins are limited per address at the BFF: each one here comes from an address of its own.
let next = 1;
const address = () => `10.77.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;
const mobile = (query: string, variables: Record<string, unknown> = {}, options: { accessToken?: string; remoteAddress?: string } = {}) =>
  stack.call('mobile', query, variables, { remoteAddress: options.remoteAddress ?? address(), ...options });
const extensionsOf = (res: GqlResult) => res.errors?.[0]?.extensions;

async function person(roles: ('CUSTOMER' | 'SUPPORT' | 'COMPLIANCE' | 'ADMIN')[] = ['CUSTOMER']) {
  const email = `mfa.${randomUUID()}@example.com`;
  const user = await stack.identity.accounts.register({ email, password: PASSWORD, displayName: 'Mfa Person' }, { ip: '127.0.0.1', userAgent: 'e2e', requestId: 'mfa-e2e' }, roles);
  return { id: user.id, email, deviceId: `phone-${randomUUID().slice(0, 8)}` };
}

/** A customer who set up an authenticator app through the mobile BFF; the app's current code is still unused. */
async function enrolled() {
  const who = await person();
  const login = await mobile(LOGIN, { input: { email: who.email, password: PASSWORD, deviceId: who.deviceId } });
  expect(login.errors).toBeUndefined();
  const session = login.data!.login as { accessToken: string; refreshToken: string };
  const enrolment = await mobile(ENROL, {}, { accessToken: session.accessToken });
  expect(enrolment.errors).toBeUndefined();
  const { secret, uri, qrCode } = enrolment.data!.enrolTotp;
  expect(uri).toContain(`otpauth://totp/Meridian:${encodeURIComponent(who.email)}`);
  expect(qrCode).toMatch(/^data:image\/png;base64,/);
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  // The previous step's code, so this step's is left for the test.
  const confirmed = await mobile(CONFIRM, { code: totp.generate({ timestamp: Date.now() - 30_000 }) }, { accessToken: session.accessToken });
  expect(confirmed.errors).toBeUndefined();
  return { ...who, totp, codes: confirmed.data!.confirmTotp.codes as string[], session };
}

/** `login` through the mobile BFF, answered with MFA_REQUIRED: the challenge. */
async function challenged(who: { email: string; deviceId: string }) {
  const res = await mobile(LOGIN, { input: { email: who.email, password: PASSWORD, deviceId: who.deviceId } });
  const challenge = mfaChallengeOf(res);
  expect(challenge).toBeDefined();
  return challenge!;
}

describe('second factors through the mobile BFF', () => {
  it('enrols TOTP and signs in with it: MFA_REQUIRED, then completeSignIn on the same device; refreshes keep amr', async () => {
    const who = await enrolled();
    expect((await mobile(ME, {}, { accessToken: who.session.accessToken })).data!.me.mfa).toEqual({
      totpEnabled: true,
      recoveryCodesLeft: 10,
      methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL'],
      required: true,
    });
    const login = await mobile(LOGIN, { input: { email: who.email, password: PASSWORD, deviceId: who.deviceId } });
    expect(login.data).toBeNull();
    expect(extensionsOf(login)).toMatchObject({ code: 'MFA_REQUIRED', methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL'] });
    const { mfaToken } = mfaChallengeOf(login)!;

    // The app must say which device finishes the sign-in.
    const noDevice = await mobile(COMPLETE, { t: mfaToken, m: 'TOTP', c: who.totp.generate() });
    expect(extensionsOf(noDevice)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deviceId' });
    const done = await mobile(COMPLETE, { t: mfaToken, m: 'TOTP', c: who.totp.generate(), d: who.deviceId });
    expect(done.errors).toBeUndefined();
    const session = done.data!.completeSignIn;
    expect(session.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(decodeJwt(session.accessToken)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], auth_time: expect.any(Number) });
    expect((await mobile(ME, {}, { accessToken: session.accessToken })).data!.me.id).toBe(who.id);

    const refreshed = await mobile(REFRESH, { t: session.refreshToken, d: who.deviceId });
    expect(refreshed.data!.refreshSession).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], authTime: session.authTime });
  });

  it('asks for a step-up before adding a payee, and adds it after stepUp with a TOTP code', async () => {
    const who = await enrolled();
    const refused = await mobile(PAYEE, { input: payee }, { accessToken: who.session.accessToken });
    expect(stepUpChallengeOf(refused)).toEqual({ maxAgeSeconds: 300, methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'], action: 'createPayee' });
    const stepped = await mobile(STEP_UP, { m: 'TOTP', c: who.totp.generate() }, { accessToken: who.session.accessToken });
    expect(stepped.errors).toBeUndefined();
    expect(stepped.data!.stepUp.amr).toEqual(['pwd', 'otp', 'mfa']);
    // Same session, new pair: the refresh token held before is retired.
    expect(decodeJwt(stepped.data!.stepUp.accessToken).sid).toBe(decodeJwt(who.session.accessToken).sid);
    expect(extensionsOf(await mobile(REFRESH, { t: who.session.refreshToken, d: who.deviceId }))?.code).toBe('UNAUTHENTICATED');
    const added = await mobile(PAYEE, { input: payee }, { accessToken: stepped.data!.stepUp.accessToken });
    expect(added.errors).toBeUndefined();
    expect(added.data!.createPayee.name).toBe('Landlord Ltd');
  });

  it('signs in with each recovery code once; the eleventh sign-in with one is refused', async () => {
    const who = await enrolled();
    for (const code of who.codes) {
      const { mfaToken } = await challenged(who);
      const res = await mobile(COMPLETE, { t: mfaToken, m: 'RECOVERY_CODE', c: code, d: who.deviceId });
      expect(res.errors).toBeUndefined();
      expect(res.data!.completeSignIn.amr).toEqual(['pwd', 'mfa']);
    }
    const { mfaToken, methods } = await challenged(who);
    expect(methods).toEqual(['TOTP', 'EMAIL']);
    const eleventh = await mobile(COMPLETE, { t: mfaToken, m: 'RECOVERY_CODE', c: who.codes[3], d: who.deviceId });
    expect(extensionsOf(eleventh)).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_REUSED' });
    const used: { n: number }[] = await stack.identity.dataSource.query(
      `SELECT count(*)::int AS n FROM identity.audit_events WHERE user_id = $1 AND type = 'RECOVERY_CODE_USED'`,
      [who.id],
    );
    expect(used[0].n).toBe(10);
  });

  it('refuses an emailed code used twice, and one that has expired', async () => {
    const who = await person();
    const session = (await mobile(LOGIN, { input: { email: who.email, password: PASSWORD, deviceId: who.deviceId } })).data!.login;
    expect((await mobile(STEP_UP_CODE, { ch: 'EMAIL' }, { accessToken: session.accessToken })).errors).toBeUndefined();
    const code = (await stack.mailbox.latest(who.email, 'identity.step_up_code'))!.data!.code;
    const stepped = await mobile(STEP_UP, { m: 'EMAIL', c: code }, { accessToken: session.accessToken });
    expect(stepped.data!.stepUp.amr).toEqual(['pwd', 'mfa']);
    const reused = await mobile(STEP_UP, { m: 'EMAIL', c: code }, { accessToken: stepped.data!.stepUp.accessToken });
    expect(extensionsOf(reused)).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_REUSED' });

    const staff = await person(['SUPPORT']);
    const { mfaToken } = await challenged(staff);
    expect((await mobile(SEND, { t: mfaToken, ch: 'EMAIL' })).errors).toBeUndefined();
    const late = (await stack.mailbox.latest(staff.email, 'identity.sign_in_code'))!.data!.code;
    // Five minutes pass.
    await stack.identity.dataSource.query(`UPDATE identity.mfa_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [staff.id]);
    const expired = await mobile(COMPLETE, { t: mfaToken, m: 'EMAIL', c: late, d: staff.deviceId });
    expect(extensionsOf(expired)).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_EXPIRED' });
  });

  it('refuses a seventh TOTP guess even when it is right, and the user in a new sign-in too', async () => {
    const who = await enrolled();
    const { mfaToken } = await challenged(who);
    const right = who.totp.generate();
    const wrong = String((Number(right) + 123_457) % 1_000_000).padStart(6, '0');
    const from = address();
    for (let i = 1; i <= 6; i++) {
      const res = await mobile(COMPLETE, { t: mfaToken, m: 'TOTP', c: wrong, d: who.deviceId }, { remoteAddress: from });
      expect(extensionsOf(res)?.code).toBe('INVALID_CODE');
    }
    const seventh = await mobile(COMPLETE, { t: mfaToken, m: 'TOTP', c: right, d: who.deviceId }, { remoteAddress: from });
    expect(extensionsOf(seventh)).toMatchObject({ code: 'INVALID_CODE', reason: 'MFA_TOKEN_INVALID' });
    const again = await challenged(who);
    const locked = await mobile(COMPLETE, { t: again.mfaToken, m: 'TOTP', c: right, d: who.deviceId });
    expect(extensionsOf(locked)).toMatchObject({ code: 'RATE_LIMITED', reason: 'MFA_LOCKED' });
  });

  it('asks staff without an authenticator for a second factor, by an emailed code', async () => {
    const staff = await person(['COMPLIANCE']);
    const { mfaToken, methods } = await challenged(staff);
    expect(methods).toEqual(['EMAIL']);
    expect((await mobile(SEND, { t: mfaToken, ch: 'EMAIL' })).data!.sendSignInCode).toMatchObject({ channel: 'EMAIL', sentTo: expect.stringMatching(/^m\*\*\*@/) });
    const code = (await stack.mailbox.latest(staff.email, 'identity.sign_in_code'))!.data!.code;
    const done = await mobile(COMPLETE, { t: mfaToken, m: 'EMAIL', c: code, d: staff.deviceId });
    expect(done.errors).toBeUndefined();
    expect(done.data!.completeSignIn.amr).toEqual(['pwd', 'mfa']);
  });
});

describe('second factors through the web BFF', () => {
  const headers = (cookie?: string) => ({ 'content-type': 'application/json', host: WEB_HOST, origin: WEB_ORIGIN, ...(cookie ? { cookie } : {}) });
  const post = (url: string, payload: unknown, cookie?: string) => stack.web.app.inject({ method: 'POST', url, headers: headers(cookie), payload: payload as object, remoteAddress: address() });
  const cookieOf = (res: Awaited<ReturnType<typeof post>>) => {
    const cookie = res.cookies.find((c) => c.name.endsWith('meridian-session'));
    return cookie ? `${cookie.name}=${cookie.value}` : undefined;
  };

  it('passes MFA_REQUIRED on from /auth/login and finishes at /auth/mfa with a TOTP code, setting the cookie', async () => {
    const who = await enrolled();
    const login = await post('/auth/login', { email: who.email, password: PASSWORD });
    expect(login.statusCode).toBe(401);
    expect(cookieOf(login)).toBeUndefined();
    const challenge = mfaChallengeOf(login.json());
    expect(challenge).toMatchObject({ methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL'] });

    // Tokens never reach the browser: completeSignIn and stepUp are not GraphQL on the web.
    const direct = await stack.call('web', COMPLETE, { t: challenge!.mfaToken, m: 'TOTP', c: who.totp.generate() });
    expect(extensionsOf(direct)).toMatchObject({ code: 'FORBIDDEN', reason: 'WEB_SESSION_ONLY' });

    const wrong = await post('/auth/mfa', { mfaToken: challenge!.mfaToken, method: 'TOTP', code: String((Number(who.totp.generate()) + 1) % 1_000_000).padStart(6, '0') });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_INVALID' });
    expect(cookieOf(wrong)).toBeUndefined();

    const done = await post('/auth/mfa', { mfaToken: challenge!.mfaToken, method: 'TOTP', code: who.totp.generate() });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ user: { id: who.id }, session: { id: expect.any(String) } });
    expect(JSON.stringify(done.json())).not.toMatch(/accessToken|refreshToken/);
    const cookie = cookieOf(done)!;
    expect((await stack.call('web', ME, {}, { cookie })).data!.me.id).toBe(who.id);
  });

  it('enrols TOTP through GraphQL on a cookie session, signs in with it at /auth/mfa, then with each recovery code once; a used one is refused', async () => {
    const who = await person();
    const cookie = await stack.webLogin(who.email, PASSWORD);
    // Enrolment is GraphQL on the web too: the secret is shown once, confirmed by a first code, which answers the recovery codes.
    const enrolment = await stack.call('web', ENROL, {}, { cookie, remoteAddress: address() });
    expect(enrolment.errors).toBeUndefined();
    const { secret, uri, qrCode } = enrolment.data!.enrolTotp;
    expect(uri).toContain(`otpauth://totp/Meridian:${encodeURIComponent(who.email)}`);
    expect(qrCode).toMatch(/^data:image\/png;base64,/);
    const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const confirmed = await stack.call('web', CONFIRM, { code: totp.generate({ timestamp: Date.now() - 30_000 }) }, { cookie, remoteAddress: address() });
    expect(confirmed.errors).toBeUndefined();
    const codes = confirmed.data!.confirmTotp.codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await stack.call('web', ME, {}, { cookie })).data!.me.mfa).toMatchObject({ totpEnabled: true, recoveryCodesLeft: 10 });

    /** Signs the browser out: the session ends in identity and the cookie no longer works. */
    const signOut = async (session: string) => {
      const out = await post('/auth/logout', {}, session);
      expect(out.json()).toEqual({ loggedOut: true });
      expect(extensionsOf(await stack.call('web', ME, {}, { cookie: session }))?.code).toBe('UNAUTHENTICATED');
    };
    /** /auth/login with the password alone: MFA_REQUIRED, no cookie, and the challenge. */
    const challenge = async () => {
      const login = await post('/auth/login', { email: who.email, password: PASSWORD });
      expect(login.statusCode).toBe(401);
      expect(cookieOf(login)).toBeUndefined();
      return mfaChallengeOf(login.json())!;
    };
    /** /auth/mfa with a code: the session cookie, whose GraphQL requests are the user's. */
    const finish = async (mfaToken: string, method: 'TOTP' | 'RECOVERY_CODE', code: string) => {
      const done = await post('/auth/mfa', { mfaToken, method, code });
      expect({ method, status: done.statusCode }).toEqual({ method, status: 200 });
      expect(JSON.stringify(done.json())).not.toMatch(/accessToken|refreshToken/);
      const session = cookieOf(done)!;
      expect((await stack.call('web', ME, {}, { cookie: session })).data!.me.id).toBe(who.id);
      return session;
    };

    await signOut(cookie);
    const first = await challenge();
    expect(first.methods).toEqual(['TOTP', 'RECOVERY_CODE', 'EMAIL']);
    await signOut(await finish(first.mfaToken, 'TOTP', totp.generate()));

    for (const [i, code] of codes.entries()) {
      const { mfaToken } = await challenge();
      const session = await finish(mfaToken, 'RECOVERY_CODE', code);
      expect((await stack.call('web', ME, {}, { cookie: session })).data!.me.mfa.recoveryCodesLeft).toBe(9 - i);
      await signOut(session);
    }
    // All ten used: the challenge no longer offers them, and an eleventh sign-in with one is refused, setting no cookie.
    const last = await challenge();
    expect(last.methods).toEqual(['TOTP', 'EMAIL']);
    const eleventh = await post('/auth/mfa', { mfaToken: last.mfaToken, method: 'RECOVERY_CODE', code: codes[6] });
    expect(eleventh.statusCode).toBe(400);
    expect(eleventh.json().errors[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_REUSED' });
    expect(cookieOf(eleventh)).toBeUndefined();
    const used: { n: number }[] = await stack.identity.dataSource.query(
      `SELECT count(*)::int AS n FROM identity.audit_events WHERE user_id = $1 AND type = 'RECOVERY_CODE_USED'`,
      [who.id],
    );
    expect(used[0].n).toBe(10);
  });

  it('steps the cookie session up at /auth/step-up, after which a payee can be added', async () => {
    const who = await person();
    const cookie = await stack.webLogin(who.email, PASSWORD);
    const refused = await stack.call('web', PAYEE, { input: payee }, { cookie });
    expect(stepUpChallengeOf(refused)).toMatchObject({ action: 'createPayee', maxAgeSeconds: 300 });
    expect(extensionsOf(await stack.call('web', STEP_UP, { m: 'EMAIL', c: '123456' }, { cookie }))).toMatchObject({ reason: 'WEB_SESSION_ONLY' });

    expect((await stack.call('web', STEP_UP_CODE, { ch: 'EMAIL' }, { cookie })).errors).toBeUndefined();
    const code = (await stack.mailbox.latest(who.email, 'identity.step_up_code'))!.data!.code;
    const stepped = await post('/auth/step-up', { method: 'EMAIL', code }, cookie);
    expect(stepped.statusCode).toBe(200);
    expect(stepped.json()).toMatchObject({ amr: ['pwd', 'mfa'], authTime: expect.any(String), session: { id: expect.any(String) } });
    expect(JSON.stringify(stepped.json())).not.toMatch(/accessToken|refreshToken/);
    const added = await stack.call('web', PAYEE, { input: payee }, { cookie });
    expect(added.errors).toBeUndefined();
    // Without a session there is nothing to step up.
    expect((await post('/auth/step-up', { method: 'EMAIL', code })).statusCode).toBe(401);
  });

  it('signs staff in with an emailed code on the dashboard', async () => {
    const staff = await person(['SUPPORT']);
    const login = await post('/auth/login', { email: staff.email, password: PASSWORD });
    expect(login.statusCode).toBe(401);
    const { mfaToken, methods } = mfaChallengeOf(login.json())!;
    expect(methods).toEqual(['EMAIL']);
    expect((await stack.call('web', SEND, { t: mfaToken, ch: 'EMAIL' })).errors).toBeUndefined();
    const code = (await stack.mailbox.latest(staff.email, 'identity.sign_in_code'))!.data!.code;
    const done = await post('/auth/mfa', { mfaToken, method: 'EMAIL', code });
    expect(done.statusCode).toBe(200);
    const session = await stack.web.app.inject({ method: 'GET', url: '/auth/session', headers: headers(cookieOf(done)) });
    expect(session.json()).toMatchObject({ user: { id: staff.id } });
  });
});
