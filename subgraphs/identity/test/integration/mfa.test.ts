import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// Second factors end to end inside identity: TOTP enrolment, sign-in with a second factor,
// recovery codes, emailed codes, step-up, the wrong-guess limits, and what the audit log keeps.

const PASSWORD = 'correct horse battery staple';
const ORIGIN = { ip: '127.0.0.1', userAgent: 'jest', requestId: 'mfa-test' };
const SESSION = `accessToken refreshToken expiresAt amr authTime user { id email }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { ${SESSION} } }`;
const ENROL = `mutation { enrolTotp { secret uri qrCode } }`;
const CONFIRM = `mutation C($code: String!) { confirmTotp(code: $code) { codes } }`;
const COMPLETE = `mutation S($t: String!, $m: MfaMethod!, $c: String!, $d: String) { completeSignIn(mfaToken: $t, method: $m, code: $c, deviceId: $d) { ${SESSION} } }`;
const SEND = `mutation E($t: String!, $ch: MfaChannel!) { sendSignInCode(mfaToken: $t, channel: $ch) { channel sentTo expiresAt resendAfter } }`;
const STEP_UP_CODE = `mutation R($ch: MfaChannel!) { requestStepUpCode(channel: $ch) { channel sentTo } }`;
const STEP_UP = `mutation U($m: MfaMethod!, $c: String!) { stepUp(method: $m, code: $c) { ${SESSION} } }`;
const REFRESH = `mutation F($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken amr authTime } }`;
const MFA = `query { me { id mfa { totpEnabled totpEnabledAt recoveryCodesLeft methods required } } }`;
const REGENERATE = `mutation { regenerateRecoveryCodes { codes } }`;
const DISABLE = `mutation { disableTotp }`;

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

let n = 0;
async function user(options: { roles?: ('CUSTOMER' | 'SUPPORT' | 'COMPLIANCE' | 'ADMIN')[]; phone?: string } = {}) {
  n += 1;
  const email = `mfa${n}.${Date.now()}@example.com`;
  const created = await h.server.accounts.register({ email, password: PASSWORD, displayName: `Mfa User ${n}`, phone: options.phone }, ORIGIN, options.roles);
  return { id: created.id, email };
}

const totpOf = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });

async function login(email: string) {
  return h.gql(LOGIN, { input: { email, password: PASSWORD } });
}

/** Signs in with the password only (no second factor asked) and answers the session. */
async function signedIn(email: string) {
  const res = await login(email);
  expect(res.errors).toBeUndefined();
  return res.data!.login as { accessToken: string; refreshToken: string; amr: string[] };
}

/** A user with a confirmed authenticator: their TOTP, recovery codes and a password-only session from before. */
async function enrolled() {
  const u = await user();
  const session = await signedIn(u.email);
  const enrolment = (await h.gql(ENROL, {}, { accessToken: session.accessToken })).data!.enrolTotp;
  const totp = totpOf(enrolment.secret);
  // Confirmed with the code of the previous time step, so the tests' own codes (this step) are still unused.
  const confirmed = await h.gql(CONFIRM, { code: totp.generate({ timestamp: Date.now() - 30_000 }) }, { accessToken: session.accessToken });
  expect(confirmed.errors).toBeUndefined();
  return { ...u, totp, codes: confirmed.data!.confirmTotp.codes as string[], session };
}

async function mfaRequired(email: string) {
  const res = await login(email);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'MFA_REQUIRED', mfaToken: expect.stringMatching(/^mfa_/) });
  return res.errors![0].extensions as { mfaToken: string; methods: string[] };
}

async function auditTypes(userId: string): Promise<string[]> {
  const rows: { type: string }[] = await h.server.dataSource.query(`SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`, [userId]);
  return rows.map((r) => r.type);
}

describe('TOTP enrolment', () => {
  it('gives the secret, an otpauth URI for Meridian and the email, and a PNG QR code; nothing changes until confirmed', async () => {
    const u = await user();
    const session = await signedIn(u.email);
    const res = await h.gql(ENROL, {}, { accessToken: session.accessToken });
    expect(res.errors).toBeUndefined();
    const { secret, uri, qrCode } = res.data!.enrolTotp;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toMatch(new RegExp(`^otpauth://totp/Meridian:${encodeURIComponent(u.email)}\\?`));
    expect(new URL(uri).searchParams.get('issuer')).toBe('Meridian');
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(qrCode).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    // Sealed at rest: the secret is nowhere in the row.
    const [row] = await h.server.dataSource.query(`SELECT secret_sealed, status FROM identity.totp_factors WHERE user_id = $1`, [u.id]);
    expect(row.status).toBe('PENDING');
    expect(row.secret_sealed).not.toContain(secret);
    expect(Buffer.from(row.secret_sealed, 'base64url').toString('latin1')).not.toContain(secret);
    // Pending: sign-in still needs only the password.
    expect((await login(u.email)).errors).toBeUndefined();
    expect((await h.gql(MFA, {}, { accessToken: session.accessToken })).data!.me.mfa).toEqual({
      totpEnabled: false,
      totpEnabledAt: null,
      recoveryCodesLeft: 0,
      methods: ['EMAIL'],
      required: false,
    });
    // A wrong first code activates nothing.
    const wrong = await h.gql(CONFIRM, { code: '000000' === totpOf(secret).generate() ? '111111' : '000000' }, { accessToken: session.accessToken });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_INVALID' });
    expect((await h.server.dataSource.query(`SELECT status FROM identity.totp_factors WHERE user_id = $1`, [u.id]))[0].status).toBe('PENDING');
  });

  it('activates with a first valid code and answers ten recovery codes, stored hashed', async () => {
    const u = await enrolled();
    expect(u.codes).toHaveLength(10);
    expect(new Set(u.codes).size).toBe(10);
    for (const code of u.codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored: { code_hash: string }[] = await h.server.dataSource.query(`SELECT code_hash FROM identity.recovery_codes WHERE user_id = $1`, [u.id]);
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(u.codes.some((c) => code_hash.includes(c) || code_hash.includes(c.replace('-', '')))).toBe(false);
    const mfa = (await h.gql(MFA, {}, { accessToken: u.session.accessToken })).data!.me.mfa;
    expect(mfa).toMatchObject({ totpEnabled: true, recoveryCodesLeft: 10, methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL'], required: true });
    expect(await auditTypes(u.id)).toEqual(expect.arrayContaining(['MFA_ENROLMENT_STARTED', 'MFA_ENROLLED']));
    // Already active: enrolling again is a conflict.
    expect((await h.gql(ENROL, {}, { accessToken: u.session.accessToken })).errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'MFA_ALREADY_ENABLED' });
  });

  it('is visible to the user only', async () => {
    const u = await enrolled();
    const other = await signedIn((await user()).email);
    const res = await h.gql(`query Q($r: [_Any!]!) { _entities(representations: $r) { ... on User { mfa { totpEnabled } } } }`, {
      r: [{ __typename: 'User', id: u.id }],
    }, { accessToken: other.accessToken });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('sign-in with a second factor', () => {
  it('answers MFA_REQUIRED for a right password, then opens the session with a TOTP code (amr otp, mfa)', async () => {
    const u = await enrolled();
    const wrongPassword = await h.gql(LOGIN, { input: { email: u.email, password: 'not the password at all' } });
    expect(wrongPassword.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const challenge = await mfaRequired(u.email);
    expect(challenge.methods).toEqual(['TOTP', 'RECOVERY_CODE', 'EMAIL']);
    const stored = await h.server.dataSource.query(`SELECT token_hash FROM identity.mfa_challenges WHERE user_id = $1`, [u.id]);
    expect(stored[0].token_hash).not.toContain(challenge.mfaToken.slice(4));

    const res = await h.gql(COMPLETE, { t: challenge.mfaToken, m: 'TOTP', c: u.totp.generate() });
    expect(res.errors).toBeUndefined();
    const session = res.data!.completeSignIn;
    expect(session.amr).toEqual(['pwd', 'otp', 'mfa']);
    const claims = decodeJwt(session.accessToken);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(Math.abs((claims.auth_time as number) * 1000 - Date.now())).toBeLessThan(5_000);
    expect((await h.gql(MFA, {}, { accessToken: session.accessToken })).data!.me.id).toBe(u.id);

    // The token was for one sign-in: it is spent.
    const again = await h.gql(COMPLETE, { t: challenge.mfaToken, m: 'TOTP', c: u.totp.generate() });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'MFA_TOKEN_INVALID' });

    // A refresh keeps how the session authenticated.
    const refreshed = (await h.gql(REFRESH, { t: session.refreshToken })).data!.refreshSession;
    expect(refreshed.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(refreshed.authTime).toBe(session.authTime);
    expect(decodeJwt(refreshed.accessToken).auth_time).toBe(claims.auth_time);
    expect(await auditTypes(u.id)).toEqual(expect.arrayContaining(['MFA_CHALLENGE_STARTED', 'MFA_SIGN_IN']));
  });

  it('refuses a TOTP code replayed within its time step, and counts it as a wrong guess', async () => {
    const u = await enrolled();
    const code = u.totp.generate();
    const first = await h.gql(COMPLETE, { t: (await mfaRequired(u.email)).mfaToken, m: 'TOTP', c: code });
    expect(first.errors).toBeUndefined();
    const replay = await h.gql(COMPLETE, { t: (await mfaRequired(u.email)).mfaToken, m: 'TOTP', c: code });
    expect(replay.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_REUSED', attemptsRemaining: 4 });
  });

  it('refuses every guess after five wrong ones — a seventh even when right — per sign-in and per user', async () => {
    const u = await enrolled();
    const { mfaToken } = await mfaRequired(u.email);
    const right = u.totp.generate();
    const wrongCode = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 5; i++) {
      const res = await h.gql(COMPLETE, { t: mfaToken, m: 'TOTP', c: wrongCode });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_INVALID', attemptsRemaining: 5 - i });
    }
    const sixth = await h.gql(COMPLETE, { t: mfaToken, m: 'TOTP', c: wrongCode });
    expect(sixth.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'MFA_TOKEN_INVALID' });
    const seventh = await h.gql(COMPLETE, { t: mfaToken, m: 'TOTP', c: right });
    expect(seventh.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'MFA_TOKEN_INVALID' });
    // A new sign-in does not start the count again: the user is refused for the window, right code or not.
    const fresh = await mfaRequired(u.email);
    const locked = await h.gql(COMPLETE, { t: fresh.mfaToken, m: 'TOTP', c: right });
    expect(locked.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'MFA_LOCKED', retryAfter: expect.any(Number) });
    expect(await h.count('sessions')).toBeGreaterThan(0);
    const failed = (await auditTypes(u.id)).filter((t) => t === 'MFA_CHALLENGE_FAILED');
    expect(failed).toHaveLength(5);
  });

  it('counts concurrent wrong guesses one by one: of twenty at once, five are judged', async () => {
    const u = await enrolled();
    const { mfaToken } = await mfaRequired(u.email);
    const wrongCode = String((Number(u.totp.generate()) + 1) % 1_000_000).padStart(6, '0');
    const results = await Promise.all(Array.from({ length: 20 }, () => h.gql(COMPLETE, { t: mfaToken, m: 'TOTP', c: wrongCode })));
    const judged = results.filter((r) => r.errors?.[0].extensions?.reason === 'CODE_INVALID');
    expect(judged).toHaveLength(5);
  });

  it('takes each recovery code once; the eleventh is refused', async () => {
    const u = await enrolled();
    for (const [i, code] of u.codes.entries()) {
      // Typed loosely: upper case, no dash.
      const typed = i % 2 ? code.toUpperCase().replace('-', '') : code;
      const res = await h.gql(COMPLETE, { t: (await mfaRequired(u.email)).mfaToken, m: 'RECOVERY_CODE', c: typed });
      expect(res.errors).toBeUndefined();
      expect(res.data!.completeSignIn.amr).toEqual(['pwd', 'mfa']);
      // Wrong guesses would lock the user; successes clear the count, so an eleventh try is judged on its own.
    }
    const eleventh = await h.gql(COMPLETE, { t: (await mfaRequired(u.email)).mfaToken, m: 'RECOVERY_CODE', c: u.codes[0] });
    expect(eleventh.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_REUSED' });
    const types = await auditTypes(u.id);
    expect(types.filter((t) => t === 'RECOVERY_CODE_USED')).toHaveLength(10);
    const mfa = (await h.gql(MFA, {}, { accessToken: u.session.accessToken })).data!.me.mfa;
    expect(mfa).toMatchObject({ recoveryCodesLeft: 0, methods: ['TOTP', 'EMAIL'] });
  });

  it('finishes with an emailed code: 6 digits, single use, expired after its time', async () => {
    const u = await enrolled();
    const { mfaToken } = await mfaRequired(u.email);
    const sent = await h.gql(SEND, { t: mfaToken, ch: 'EMAIL' });
    expect(sent.data!.sendSignInCode).toMatchObject({ channel: 'EMAIL', sentTo: expect.stringMatching(/^m\*\*\*@example\.com$/) });
    const mail = await h.mailbox.latest(u.email, 'identity.sign_in_code');
    const code = mail!.data!.code;
    expect(code).toMatch(/^\d{6}$/);
    const stored = await h.server.dataSource.query(`SELECT code_hash FROM identity.mfa_codes WHERE user_id = $1`, [u.id]);
    expect(stored[0].code_hash).not.toContain(code);
    // Asking again at once is refused.
    expect((await h.gql(SEND, { t: mfaToken, ch: 'EMAIL' })).errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'CODE_RESEND_TOO_SOON' });
    // No phone: no SMS.
    expect((await h.gql(SEND, { t: mfaToken, ch: 'SMS' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'METHOD_NOT_AVAILABLE' });
    const res = await h.gql(COMPLETE, { t: mfaToken, m: 'EMAIL', c: code });
    expect(res.errors).toBeUndefined();
    expect(res.data!.completeSignIn.amr).toEqual(['pwd', 'mfa']);

    // An expired code is refused, uncounted.
    const second = await mfaRequired(u.email);
    await h.gql(SEND, { t: second.mfaToken, ch: 'EMAIL' });
    const late = (await h.mailbox.latest(u.email, 'identity.sign_in_code'))!.data!.code;
    await h.server.dataSource.query(`UPDATE identity.mfa_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND used_at IS NULL`, [u.id]);
    expect((await h.gql(COMPLETE, { t: second.mfaToken, m: 'EMAIL', c: late })).errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_EXPIRED' });
  });

  it('asks staff for a second factor even without an authenticator, by email or SMS to their phone', async () => {
    const staff = await user({ roles: ['SUPPORT'], phone: `+4477009${String(Date.now()).slice(-5)}` });
    const { mfaToken, methods } = await mfaRequired(staff.email);
    expect(methods).toEqual(['EMAIL', 'SMS']);
    const sent = await h.gql(SEND, { t: mfaToken, ch: 'SMS' });
    expect(sent.data!.sendSignInCode.sentTo).toMatch(/^\+44\*+\d{3}$/);
    const phone = (await h.server.accounts.findById(staff.id))!.phone!;
    const code = (await h.mailbox.latest(phone, 'identity.sign_in_code'))!.data!.code;
    const res = await h.gql(COMPLETE, { t: mfaToken, m: 'SMS', c: code });
    expect(res.errors).toBeUndefined();
    expect(res.data!.completeSignIn.amr).toEqual(['pwd', 'sms', 'mfa']);
    // A TOTP the staff member does not have is not a guess.
    const other = await mfaRequired(staff.email);
    expect((await h.gql(COMPLETE, { t: other.mfaToken, m: 'TOTP', c: '123456' })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'METHOD_NOT_AVAILABLE',
    });
  });

  it('binds the sign-in to the device that started it', async () => {
    const u = await enrolled();
    const started = await h.gql(LOGIN, { input: { email: u.email, password: PASSWORD, deviceId: 'phone-one-1234' } });
    const { mfaToken } = started.errors![0].extensions as { mfaToken: string };
    const elsewhere = await h.gql(COMPLETE, { t: mfaToken, m: 'TOTP', c: u.totp.generate(), d: 'phone-two-5678' });
    expect(elsewhere.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'MFA_TOKEN_INVALID' });
    const here = await h.gql(COMPLETE, { t: mfaToken, m: 'TOTP', c: u.totp.generate(), d: 'phone-one-1234' });
    expect(here.errors).toBeUndefined();
    const [session] = await h.server.dataSource.query(`SELECT device_id FROM identity.sessions WHERE id = $1`, [decodeJwt(here.data!.completeSignIn.accessToken).sid]);
    expect(session.device_id).toBe('phone-one-1234');
  });
});

describe('step-up', () => {
  it('upgrades the current session with an emailed code: new tokens, same session, the old refresh token retired', async () => {
    const u = await user();
    const session = await signedIn(u.email);
    expect(session.amr).toEqual(['pwd']);
    expect((await h.gql(STEP_UP_CODE, { ch: 'EMAIL' }, { accessToken: session.accessToken })).errors).toBeUndefined();
    const code = (await h.mailbox.latest(u.email, 'identity.step_up_code'))!.data!.code;
    const res = await h.gql(STEP_UP, { m: 'EMAIL', c: code }, { accessToken: session.accessToken });
    expect(res.errors).toBeUndefined();
    const upgraded = res.data!.stepUp;
    expect(upgraded.amr).toEqual(['pwd', 'mfa']);
    expect(decodeJwt(upgraded.accessToken).sid).toBe(decodeJwt(session.accessToken).sid);
    expect((await h.gql(REFRESH, { t: session.refreshToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const refreshed = await h.gql(REFRESH, { t: upgraded.refreshToken });
    expect(refreshed.data!.refreshSession.amr).toEqual(['pwd', 'mfa']);
    // The code was spent.
    const reused = await h.gql(STEP_UP, { m: 'EMAIL', c: code }, { accessToken: upgraded.accessToken });
    expect(reused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_REUSED' });
    expect(await auditTypes(u.id)).toEqual(expect.arrayContaining(['MFA_CODE_SENT', 'STEP_UP']));
  });

  it('guards changing the email address and the password behind a recent step-up', async () => {
    const u = await user();
    const session = await signedIn(u.email);
    const CHANGE_EMAIL = `mutation E($e: String!, $p: String!) { changeEmail(newEmail: $e, currentPassword: $p) }`;
    const CHANGE_PASSWORD = `mutation P($p: String!, $n: String!) { changePassword(currentPassword: $p, newPassword: $n) }`;
    const newEmail = `moved.${Date.now()}@example.com`;
    expect((await h.gql(CHANGE_EMAIL, { e: newEmail, p: PASSWORD }, { accessToken: session.accessToken })).errors?.[0].extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      action: 'changeEmail',
    });
    expect((await h.gql(CHANGE_PASSWORD, { p: PASSWORD, n: 'quartz lantern meadow kettle' }, { accessToken: session.accessToken })).errors?.[0].extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      action: 'changePassword',
    });
    expect(await auditTypes(u.id)).not.toContain('EMAIL_CHANGE_REQUESTED');
    const stepped = await h.stepUp(session.accessToken, u.email);
    expect((await h.gql(CHANGE_EMAIL, { e: newEmail, p: PASSWORD }, { accessToken: stepped.accessToken })).data?.changeEmail).toBe(true);
  });

  it('guards regenerating recovery codes and disabling TOTP behind a recent step-up', async () => {
    const u = await enrolled();
    // The session from before enrolment has only a password.
    const refused = await h.gql(REGENERATE, {}, { accessToken: u.session.accessToken });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'STEP_UP_REQUIRED', maxAgeSeconds: 300, action: 'regenerateRecoveryCodes' });
    expect((await h.gql(DISABLE, {}, { accessToken: u.session.accessToken })).errors?.[0].extensions?.code).toBe('STEP_UP_REQUIRED');

    const stepped = (await h.gql(STEP_UP, { m: 'TOTP', c: u.totp.generate() }, { accessToken: u.session.accessToken })).data!.stepUp;
    expect(stepped.amr).toEqual(['pwd', 'otp', 'mfa']);
    const regenerated = (await h.gql(REGENERATE, {}, { accessToken: stepped.accessToken })).data!.regenerateRecoveryCodes.codes as string[];
    expect(regenerated).toHaveLength(10);
    expect(regenerated.some((c) => u.codes.includes(c))).toBe(false);
    // Old codes no longer work.
    const old = await h.gql(COMPLETE, { t: (await mfaRequired(u.email)).mfaToken, m: 'RECOVERY_CODE', c: u.codes[0] });
    expect(old.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CODE', reason: 'CODE_INVALID' });

    expect((await h.gql(DISABLE, {}, { accessToken: stepped.accessToken })).data!.disableTotp).toBe(true);
    expect((await login(u.email)).errors).toBeUndefined();
    expect(await h.server.dataSource.query(`SELECT 1 FROM identity.recovery_codes WHERE user_id = $1`, [u.id])).toEqual([]);
    expect(await auditTypes(u.id)).toEqual(expect.arrayContaining(['RECOVERY_CODES_REGENERATED', 'MFA_DISABLED']));
  });
});
