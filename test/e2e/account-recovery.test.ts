import { startStack, type GqlResult, type Stack } from '../helpers/stack';

// Email verification, password reset and password change as the apps run them through both BFFs,
// reading links and codes from the development mailbox: the happy paths, the refusals with clear
// codes, and answers that never tell whether an address has an account.

const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { email verificationSent } }`;
const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }`;
const REFRESH = `mutation RefreshSession($refreshToken: String!, $deviceId: String) { refreshSession(refreshToken: $refreshToken, deviceId: $deviceId) { accessToken } }`;
const ME = `query Me { me { id email emailVerified } }`;
const VERIFY = `mutation VerifyEmail($token: String!) { verifyEmail(token: $token) }`;
const REQUEST_RESET = `mutation RequestPasswordReset($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation ResetPassword($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }`;
const RESET_CODE = `mutation ResetPasswordWithCode($email: String!, $code: String!, $newPassword: String!) {
  resetPasswordWithCode(email: $email, code: $code, newPassword: $newPassword)
}`;
const CHANGE_PASSWORD = `mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
}`;

const PASSWORD = 'a long and unusual passphrase';
const NEW_PASSWORD = 'quartz lantern meadow kettle';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

// Sign-up, sign-in and resets are limited per address: each test comes from addresses of its own.
let nextAddress = 1;
const address = () => `10.66.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;
const codeOf = (res: GqlResult) => res.errors?.[0].extensions?.code;

async function registered(bff: 'web' | 'mobile', label: string) {
  const email = `${label}.${bff}.${Date.now()}.${nextAddress}@example.com`;
  const res = await stack.call(bff, REGISTER, { input: { email, password: PASSWORD, displayName: `${label} user` } }, { remoteAddress: address() });
  expect(res.errors).toBeUndefined();
  expect(res.data!.register).toEqual({ email, verificationSent: true });
  return email;
}

async function phoneLogin(email: string, password = PASSWORD, deviceId = 'recovery-phone-1') {
  return stack.call('mobile', LOGIN, { input: { email, password, deviceId } }, { remoteAddress: address() });
}

async function mailData(email: string, template: string): Promise<Record<string, string>> {
  const mail = await stack.latestMail(email, template);
  expect(mail).toBeDefined();
  return mail!.data!;
}

describe.each(['mobile', 'web'] as const)('through the %s BFF', (bff) => {
  it('register → the emailed link verifies the address', async () => {
    const email = await registered(bff, 'verify');
    const { token, link } = await mailData(email, 'identity.email_verification');
    expect(link).toContain(`/verify-email?token=${token}`);
    const verified = await stack.call(bff, VERIFY, { token }, { remoteAddress: address() });
    expect(verified.errors).toBeUndefined();
    expect(verified.data?.verifyEmail).toBe(true);
    const auth = bff === 'web' ? { cookie: await stack.webLogin(email, PASSWORD) } : { accessToken: (await phoneLogin(email)).data!.login.accessToken };
    expect((await stack.call(bff, ME, {}, auth)).data?.me).toMatchObject({ email, emailVerified: true });
    // The link works once.
    expect(codeOf(await stack.call(bff, VERIFY, { token }, { remoteAddress: address() }))).toBe('INVALID_CODE');
  });

  it('reset password with the link: the old password and the old refresh token stop working, the new password signs in', async () => {
    const email = await registered(bff, 'reset');
    const before = (await phoneLogin(email)).data!.login;
    const browser = bff === 'web' ? await stack.webLogin(email, PASSWORD) : undefined;
    const asked = await stack.call(bff, REQUEST_RESET, { email }, { remoteAddress: address() });
    expect(asked.data).toEqual({ requestPasswordReset: true });
    const { token } = await mailData(email, 'identity.password_reset');

    const reset = await stack.call(bff, RESET, { token, newPassword: NEW_PASSWORD }, { remoteAddress: address() });
    expect(reset.errors).toBeUndefined();
    expect(reset.data?.resetPassword).toBe(true);

    expect(codeOf(await stack.call('mobile', REFRESH, { refreshToken: before.refreshToken, deviceId: 'recovery-phone-1' }, { remoteAddress: address() }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await phoneLogin(email))).toBe('UNAUTHENTICATED');
    expect((await phoneLogin(email, NEW_PASSWORD)).errors).toBeUndefined();
    if (browser) {
      // The browser signed in before the reset is signed out too, at once.
      expect(codeOf(await stack.call('web', ME, {}, { cookie: browser }))).toBe('UNAUTHENTICATED');
      await expect(stack.webLogin(email, PASSWORD)).rejects.toThrow(/401/);
    }
    // Used once: a second use is refused with the code every bad link gets.
    expect(codeOf(await stack.call(bff, RESET, { token, newPassword: 'another quite fine passphrase' }, { remoteAddress: address() }))).toBe('INVALID_CODE');
  });

  it('reset password with the typed code; wrong codes until the reset is void; a weak password changes nothing', async () => {
    const email = await registered(bff, 'code');
    await stack.call(bff, REQUEST_RESET, { email }, { remoteAddress: address() });
    const { code } = await mailData(email, 'identity.password_reset');
    const weak = await stack.call(bff, RESET_CODE, { email, code, newPassword: 'password1234' }, { remoteAddress: address() });
    expect(weak.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect((await phoneLogin(email)).errors).toBeUndefined();

    const wrong = String((Number(code) + 1) % 100_000_000).padStart(8, '0');
    for (let i = 0; i < 5; i++) {
      expect(codeOf(await stack.call(bff, RESET_CODE, { email, code: wrong, newPassword: NEW_PASSWORD }, { remoteAddress: address() }))).toBe('INVALID_CODE');
    }
    // Void now: the right code is refused too, and the password is unchanged.
    expect(codeOf(await stack.call(bff, RESET_CODE, { email, code, newPassword: NEW_PASSWORD }, { remoteAddress: address() }))).toBe('INVALID_CODE');
    expect((await phoneLogin(email)).errors).toBeUndefined();

    // A new request sends a new code that works.
    await stack.call(bff, REQUEST_RESET, { email }, { remoteAddress: address() });
    const fresh = await mailData(email, 'identity.password_reset');
    expect((await stack.call(bff, RESET_CODE, { email, code: fresh.code, newPassword: NEW_PASSWORD }, { remoteAddress: address() })).errors).toBeUndefined();
    expect((await phoneLogin(email, NEW_PASSWORD)).errors).toBeUndefined();
  });

  it('refuses an expired reset link with INVALID_CODE', async () => {
    const email = await registered(bff, 'expired');
    await stack.call(bff, REQUEST_RESET, { email }, { remoteAddress: address() });
    const { token } = await mailData(email, 'identity.password_reset');
    await stack.identity.dataSource.query(
      `UPDATE identity.password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [await stack.userIdOf(email)],
    );
    expect(codeOf(await stack.call(bff, RESET, { token, newPassword: NEW_PASSWORD }, { remoteAddress: address() }))).toBe('INVALID_CODE');
    expect((await phoneLogin(email)).errors).toBeUndefined();
  });

  it('answers a second registration of one address exactly as the first, and mails the owner instead', async () => {
    const email = `twice.${bff}.${Date.now()}@example.com`;
    const input = { email, password: PASSWORD, displayName: 'First' };
    const first = await stack.call(bff, REGISTER, { input }, { remoteAddress: address() });
    const second = await stack.call(bff, REGISTER, { input: { ...input, email: email.toUpperCase(), displayName: 'Second' } }, { remoteAddress: address() });
    expect(second.status).toBe(first.status);
    expect(second.data).toEqual(first.data);
    expect(second.errors).toEqual(first.errors);
    expect((await stack.latestMail(email, 'identity.registration_duplicate'))?.text).toMatch(/sign in, or reset your password/);
  });

  it('answers a reset for an unknown address exactly as for a registered one, and mails nobody', async () => {
    const email = await registered(bff, 'known');
    const unknown = `unknown.${bff}.${Date.now()}@example.com`;
    const known = await stack.call(bff, REQUEST_RESET, { email }, { remoteAddress: address() });
    const stranger = await stack.call(bff, REQUEST_RESET, { email: unknown }, { remoteAddress: address() });
    expect(stranger.status).toBe(known.status);
    expect(stranger.data).toEqual(known.data);
    expect(stranger.errors).toEqual(known.errors);
    await stack.identity.mail.settled();
    expect(await stack.mailbox.list(unknown)).toEqual([]);
    expect(await stack.mailbox.latest(email, 'identity.password_reset')).toBeDefined();
  });
});

describe('changePassword', () => {
  it('on the web: the browser stays signed in, the phone is signed out, and the user is told', async () => {
    const email = await registered('web', 'change');
    const phone = (await phoneLogin(email)).data!.login;
    const cookie = await stack.webLogin(email, PASSWORD);
    // Changing the password needs a recent second factor: the dashboard steps up with an emailed code.
    expect(codeOf(await stack.call('web', CHANGE_PASSWORD, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { cookie }))).toBe('STEP_UP_REQUIRED');
    await stack.webStepUp(cookie, email);
    const wrong = await stack.call('web', CHANGE_PASSWORD, { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD }, { cookie });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WRONG_PASSWORD' });

    const changed = await stack.call('web', CHANGE_PASSWORD, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { cookie });
    expect(changed.errors).toBeUndefined();
    expect(changed.data?.changePassword).toBe(true);
    expect((await stack.call('web', ME, {}, { cookie })).data?.me.email).toBe(email);
    // The phone is signed out at once: its access token as well as its refresh token.
    expect(codeOf(await stack.call('mobile', ME, {}, { accessToken: phone.accessToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await stack.call('mobile', REFRESH, { refreshToken: phone.refreshToken, deviceId: 'recovery-phone-1' }, { remoteAddress: address() }))).toBe('UNAUTHENTICATED');
    expect((await stack.latestMail(email, 'identity.password_changed'))?.data).toEqual({ how: 'change' });
    expect((await phoneLogin(email, NEW_PASSWORD, 'recovery-phone-2')).errors).toBeUndefined();
  });

  it('on the phone: needs a signed-in user', async () => {
    const res = await stack.call('mobile', CHANGE_PASSWORD, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { remoteAddress: address() });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });
});

describe('the BFF limits', () => {
  it('allow 3 reset requests an hour per email address across callers, counted on the address as identity compares it', async () => {
    const email = `limited.${Date.now()}@example.com`;
    const spellings = [email, email.toUpperCase(), ` ${email}`, email];
    const answers: GqlResult[] = [];
    for (const spelling of spellings) answers.push(await stack.call('mobile', REQUEST_RESET, { email: spelling }, { remoteAddress: address() }));
    expect(answers.slice(0, 3).map((a) => a.data?.requestPasswordReset)).toEqual([true, true, true]);
    expect(answers[3].status).toBe(429);
    expect(answers[3].errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  });
});
