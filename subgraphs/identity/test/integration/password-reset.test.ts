import { LOGIN, newUser, REFRESH, REGISTER, startIdentity, type GqlResponse, type IdentityHarness } from '../helpers/identity-harness';

// A forgotten password: the same answer for any address, a link and a code that work once for
// 30 minutes (hashed at rest), a newer request voiding older ones, a limit of wrong codes, the
// strength policy, and a completed reset ending every session and clearing the sign-in throttle.

const REQUEST = `mutation R($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation P($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }`;
const RESET_CODE = `mutation C($email: String!, $code: String!, $newPassword: String!) { resetPasswordWithCode(email: $email, code: $code, newPassword: $newPassword) }`;
const NEW_PASSWORD = 'quartz lantern meadow kettle';

let h: IdentityHarness;
beforeAll(async () => {
  // Two free sign-in attempts, then a wait: a test below locks a user out and needs the reset to let them in.
  h = await startIdentity({}, { signInPolicy: { freeAttempts: 2, backoffBaseMs: 60_000, backoffMaxMs: 60_000, lockAfter: 3, lockMs: 3_600_000, lockMaxMs: 3_600_000, forgetAfterMs: 86_400_000 } });
});
afterAll(() => h.close());

const codeOf = (res: GqlResponse) => res.errors?.[0].extensions?.code;
const login = (email: string, password: string) => h.gql(LOGIN, { input: { email, password } });

async function registered() {
  const user = newUser();
  expect((await h.gql(REGISTER, { input: user })).errors).toBeUndefined();
  return { ...user, id: await h.idOf(user.email) };
}

async function resetMail(email: string): Promise<{ token: string; code: string; link: string }> {
  const mail = await h.latestMail(email, 'identity.password_reset');
  expect(mail).toBeDefined();
  return mail!.data as { token: string; code: string; link: string };
}

async function requestReset(email: string): Promise<{ token: string; code: string; link: string }> {
  const res = await h.gql(REQUEST, { email });
  expect(res.data?.requestPasswordReset).toBe(true);
  return resetMail(email);
}

describe('requestPasswordReset', () => {
  it('answers a registered and an unknown address alike, and mails only the registered one', async () => {
    const user = await registered();
    const unknown = `nobody.${Date.now()}@example.com`;
    const known = await h.gql(REQUEST, { email: ` ${user.email.toUpperCase()}` });
    const stranger = await h.gql(REQUEST, { email: unknown });
    expect(stranger).toEqual(known);
    expect(known.data).toEqual({ requestPasswordReset: true });
    const mail = await resetMail(user.email);
    expect(mail.token).toMatch(/^mpr_[A-Za-z0-9_-]{43}$/);
    expect(mail.code).toMatch(/^\d{8}$/);
    expect(mail.link).toBe(`http://localhost:4000/reset-password?token=${mail.token}`);
    expect(await h.mailbox.list(unknown)).toEqual([]);
    // Only hashes are kept.
    const [row] = await h.server.dataSource.query(`SELECT * FROM identity.password_resets WHERE user_id = $1`, [user.id]);
    expect(JSON.stringify(row)).not.toContain(mail.token.slice(4));
    expect(row.code_hash).toHaveLength(32);
    const audits: { user_id: string | null; details: Record<string, unknown> }[] = await h.server.dataSource.query(
      `SELECT user_id, details FROM identity.audit_events WHERE type = 'PASSWORD_RESET_REQUESTED' ORDER BY id DESC LIMIT 2`,
    );
    expect(audits).toEqual([
      { user_id: null, details: { email: unknown, sent: false } },
      { user_id: user.id, details: { email: user.email, sent: true } },
    ]);
  });

  it('refuses what is not an email address with BAD_USER_INPUT', async () => {
    expect(codeOf(await h.gql(REQUEST, { email: 'not-an-email' }))).toBe('BAD_USER_INPUT');
  });
});

describe('resetPassword', () => {
  it('sets the new password, ends every session, clears a sign-in lock, and works once', async () => {
    const user = await registered();
    const session = (await login(user.email, user.password)).data!.login;
    // Three wrong passwords lock sign-in (the policy of this file).
    for (let i = 0; i < 3; i++) await login(user.email, 'not the right password');
    expect(codeOf(await login(user.email, user.password))).toBe('RATE_LIMITED');

    const { token } = await requestReset(user.email);
    const res = await h.gql(RESET, { token, newPassword: NEW_PASSWORD });
    expect(res.errors).toBeUndefined();
    expect(res.data?.resetPassword).toBe(true);

    expect(codeOf(await h.gql(REFRESH, { token: session.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(user.email, user.password))).toBe('UNAUTHENTICATED');
    expect((await login(user.email, NEW_PASSWORD)).errors).toBeUndefined();
    expect(codeOf(await h.gql(RESET, { token, newPassword: 'another fine passphrase here' }))).toBe('INVALID_CODE');
    expect((await h.latestMail(user.email, 'identity.password_changed'))?.data).toEqual({ how: 'reset' });
    expect((await h.server.accounts.findById(user.id))?.emailVerifiedAt).not.toBeNull();
    const [audit] = await h.server.dataSource.query(`SELECT details FROM identity.audit_events WHERE type = 'PASSWORD_RESET' AND user_id = $1`, [user.id]);
    expect(audit.details).toEqual({ via: 'LINK', sessionsEnded: 1 });
  });

  it('refuses a weak password with BAD_USER_INPUT, changing nothing and leaving the link usable', async () => {
    const user = await registered();
    const { token } = await requestReset(user.email);
    const weak = await h.gql(RESET, { token, newPassword: 'password1234' });
    expect(weak.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect((await login(user.email, user.password)).errors).toBeUndefined();
    expect((await h.gql(RESET, { token, newPassword: NEW_PASSWORD })).data?.resetPassword).toBe(true);
  });

  it('answers an expired, replaced, wrong or malformed link alike with INVALID_CODE', async () => {
    const user = await registered();
    const older = await requestReset(user.email);
    const newer = await requestReset(user.email);
    await h.server.dataSource.query(`UPDATE identity.password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND voided_at IS NULL`, [user.id]);
    const answers = await Promise.all(
      [older.token, newer.token, `mpr_${'B'.repeat(43)}`, 'nope', `mev_${newer.token.slice(4)}`].map((token) => h.gql(RESET, { token, newPassword: NEW_PASSWORD })),
    );
    for (const res of answers) {
      expect(codeOf(res)).toBe('INVALID_CODE');
      expect(res.errors?.[0].message).toBe(answers[0].errors?.[0].message);
    }
    expect((await login(user.email, user.password)).errors).toBeUndefined();
  });

  it('lets only one of two simultaneous uses of a link through', async () => {
    const user = await registered();
    const { token } = await requestReset(user.email);
    const results = await Promise.all([h.gql(RESET, { token, newPassword: NEW_PASSWORD }), h.gql(RESET, { token, newPassword: 'second lantern meadow quartz' })]);
    expect(results.map((r) => r.data?.resetPassword ?? codeOf(r)).sort()).toEqual(['INVALID_CODE', true].sort());
  });
});

describe('resetPasswordWithCode', () => {
  it('sets the password with the emailed code, with spaces in it', async () => {
    const user = await registered();
    const { code } = await requestReset(user.email);
    const res = await h.gql(RESET_CODE, { email: user.email.toUpperCase(), code: `${code.slice(0, 4)} ${code.slice(4)}`, newPassword: NEW_PASSWORD });
    expect(res.errors).toBeUndefined();
    expect((await login(user.email, NEW_PASSWORD)).errors).toBeUndefined();
    expect(codeOf(await h.gql(RESET_CODE, { email: user.email, code, newPassword: 'again a fine passphrase' }))).toBe('INVALID_CODE');
  });

  it('voids the reset after 5 wrong codes: then even the right one is INVALID_CODE', async () => {
    const user = await registered();
    const { code } = await requestReset(user.email);
    const wrong = String((Number(code) + 1) % 100_000_000).padStart(8, '0');
    for (let i = 0; i < 5; i++) expect(codeOf(await h.gql(RESET_CODE, { email: user.email, code: wrong, newPassword: NEW_PASSWORD }))).toBe('INVALID_CODE');
    expect(codeOf(await h.gql(RESET_CODE, { email: user.email, code, newPassword: NEW_PASSWORD }))).toBe('INVALID_CODE');
    expect((await login(user.email, user.password)).errors).toBeUndefined();
    const [row] = await h.server.dataSource.query(`SELECT failed_attempts, voided_at FROM identity.password_resets WHERE user_id = $1`, [user.id]);
    expect(row.failed_attempts).toBe(5);
    expect(row.voided_at).not.toBeNull();
  });

  it('counts concurrent wrong codes one by one, so no more than 5 are ever checked', async () => {
    const user = await registered();
    const { code } = await requestReset(user.email);
    const wrong = String((Number(code) + 7) % 100_000_000).padStart(8, '0');
    await Promise.all(Array.from({ length: 8 }, () => h.gql(RESET_CODE, { email: user.email, code: wrong, newPassword: NEW_PASSWORD })));
    const [row] = await h.server.dataSource.query(`SELECT failed_attempts, voided_at FROM identity.password_resets WHERE user_id = $1`, [user.id]);
    expect(row.failed_attempts).toBe(5);
    expect(row.voided_at).not.toBeNull();
  });

  it('answers an unknown address, a wrong code, a malformed code and a replaced code alike', async () => {
    const user = await registered();
    const older = await requestReset(user.email);
    const newer = await requestReset(user.email);
    const attempts = [
      { email: `nobody.${Date.now()}@example.com`, code: newer.code },
      { email: user.email, code: older.code === newer.code ? '00000000' : older.code },
      { email: user.email, code: 'abc' },
    ];
    const answers = [];
    for (const attempt of attempts) answers.push(await h.gql(RESET_CODE, { ...attempt, newPassword: NEW_PASSWORD }));
    for (const res of answers) {
      expect(codeOf(res)).toBe('INVALID_CODE');
      expect(res.errors?.[0].message).toBe(answers[0].errors?.[0].message);
    }
    // The newer code still works after those two misses.
    expect((await h.gql(RESET_CODE, { email: user.email, code: newer.code, newPassword: NEW_PASSWORD })).errors).toBeUndefined();
  });

  it('refuses a weak password after a right code with BAD_USER_INPUT, and the code still works', async () => {
    const user = await registered();
    const { code } = await requestReset(user.email);
    const weak = await h.gql(RESET_CODE, { email: user.email, code, newPassword: 'short' });
    expect(weak.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect((await h.gql(RESET_CODE, { email: user.email, code, newPassword: NEW_PASSWORD })).errors).toBeUndefined();
  });
});
