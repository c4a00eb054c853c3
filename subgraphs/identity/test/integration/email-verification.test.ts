import { LOGIN, newUser, REGISTER, startIdentity, type GqlResponse, type IdentityHarness } from '../helpers/identity-harness';

// Proving an address: the link sent at registration (single use, 24 h, hashed at rest, a newer one
// voiding the older), the resend for a signed-in user, and the change of address that happens only
// when the new address is proved — answering the same when that address belongs to someone else.

const VERIFY = `mutation V($token: String!) { verifyEmail(token: $token) }`;
const RESEND = `mutation { resendEmailVerification }`;
const CHANGE = `mutation C($newEmail: String!, $currentPassword: String!) { changeEmail(newEmail: $newEmail, currentPassword: $currentPassword) }`;
const ME = `query { me { id email emailVerified } }`;

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

const codeOf = (res: GqlResponse) => res.errors?.[0].extensions?.code;

async function registered(overrides: Record<string, unknown> = {}) {
  const user = newUser(overrides);
  expect((await h.gql(REGISTER, { input: user })).errors).toBeUndefined();
  const login = await h.gql(LOGIN, { input: { email: user.email, password: user.password } });
  expect(login.errors).toBeUndefined();
  return { ...user, id: await h.idOf(user.email), accessToken: login.data!.login.accessToken as string };
}

/** A registered user whose session just gave a second factor (an emailed code), as changing the email address needs. */
async function steppedUp() {
  const user = await registered();
  return { ...user, accessToken: (await h.stepUp(user.accessToken, user.email)).accessToken };
}

async function tokenSentTo(email: string): Promise<string> {
  const mail = await h.latestMail(email, 'identity.email_verification');
  expect(mail).toBeDefined();
  return mail!.data!.token;
}

async function auditTypes(userId: string): Promise<string[]> {
  const rows: { type: string }[] = await h.server.dataSource.query(`SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`, [userId]);
  return rows.map((r) => r.type);
}

describe('verifyEmail', () => {
  it('verifies the address with the emailed token, once, and keeps only its hash', async () => {
    const user = await registered();
    expect((await h.gql(ME, {}, { accessToken: user.accessToken })).data?.me.emailVerified).toBe(false);
    const token = await tokenSentTo(user.email);
    const [row] = await h.server.dataSource.query(`SELECT encode(token_hash, 'hex') AS hash FROM identity.email_verifications WHERE user_id = $1`, [user.id]);
    expect(row.hash).toHaveLength(64);
    expect(JSON.stringify(await h.server.dataSource.query(`SELECT * FROM identity.email_verifications`))).not.toContain(token.slice(4));

    const ok = await h.gql(VERIFY, { token });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.verifyEmail).toBe(true);
    expect((await h.gql(ME, {}, { accessToken: user.accessToken })).data?.me.emailVerified).toBe(true);

    const again = await h.gql(VERIFY, { token });
    expect(codeOf(again)).toBe('INVALID_CODE');
    expect(await auditTypes(user.id)).toEqual(['REGISTERED', 'EMAIL_VERIFICATION_SENT', 'LOGIN_SUCCEEDED', 'EMAIL_VERIFIED']);
  });

  it('answers a wrong, malformed, expired and replaced token alike with INVALID_CODE, changing nothing', async () => {
    const user = await registered();
    const first = await tokenSentTo(user.email);
    expect((await h.gql(RESEND, {}, { accessToken: user.accessToken })).data?.resendEmailVerification).toBe(true);
    const second = await tokenSentTo(user.email);
    expect(second).not.toBe(first);
    await h.server.dataSource.query(`UPDATE identity.email_verifications SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND voided_at IS NULL`, [user.id]);
    const answers = await Promise.all(
      [first, second, `mev_${'A'.repeat(43)}`, 'not a token', `mpr_${second.slice(4)}`].map((token) => h.gql(VERIFY, { token })),
    );
    for (const res of answers) {
      expect(codeOf(res)).toBe('INVALID_CODE');
      expect(res.errors?.[0].message).toBe(answers[0].errors?.[0].message);
    }
    expect((await h.server.accounts.findById(user.id))?.emailVerifiedAt).toBeNull();
  });
});

describe('resendEmailVerification', () => {
  it('needs a signed-in user, and sends nothing once the address is verified', async () => {
    expect(codeOf(await h.gql(RESEND))).toBe('UNAUTHENTICATED');
    const user = await registered();
    await h.gql(VERIFY, { token: await tokenSentTo(user.email) });
    const res = await h.gql(RESEND, {}, { accessToken: user.accessToken });
    expect(res.data?.resendEmailVerification).toBe(false);
    await h.server.mail.settled();
    expect((await h.mailbox.list(user.email)).filter((m) => m.template === 'identity.email_verification')).toHaveLength(1);
  });
});

describe('changeEmail', () => {
  it('moves the account to a new address only once the link sent there is used, telling the old address twice', async () => {
    const user = await steppedUp();
    const newEmail = `moved.${Date.now()}@example.com`;
    const res = await h.gql(CHANGE, { newEmail: newEmail.toUpperCase(), currentPassword: user.password }, { accessToken: user.accessToken });
    expect(res.errors).toBeUndefined();
    expect(res.data?.changeEmail).toBe(true);
    expect(await h.latestMail(user.email, 'identity.email_change_requested')).toBeDefined();
    expect((await h.gql(ME, {}, { accessToken: user.accessToken })).data?.me.email).toBe(user.email);

    const token = await tokenSentTo(newEmail);
    expect((await h.gql(VERIFY, { token })).data?.verifyEmail).toBe(true);
    expect((await h.gql(ME, {}, { accessToken: user.accessToken })).data?.me).toEqual({ id: user.id, email: newEmail, emailVerified: true });
    expect((await h.latestMail(user.email, 'identity.email_changed'))?.text).toContain('m***@example.com');

    expect(codeOf(await h.gql(LOGIN, { input: { email: user.email, password: user.password } }))).toBe('UNAUTHENTICATED');
    expect((await h.gql(LOGIN, { input: { email: newEmail, password: user.password } })).errors).toBeUndefined();
    // The old address's own verification link proves nothing any more.
    expect(codeOf(await h.gql(VERIFY, { token: await tokenSentTo(user.email) }))).toBe('INVALID_CODE');
    expect(await auditTypes(user.id)).toEqual(
      expect.arrayContaining(['EMAIL_CHANGE_REQUESTED', 'EMAIL_VERIFICATION_SENT', 'EMAIL_CHANGED', 'LOGIN_SUCCEEDED']),
    );
  });

  it("answers an address that is another account's exactly as a free one: its owner is told, and nothing can complete", async () => {
    const user = await steppedUp();
    const other = await steppedUp();
    const free = `free.${Date.now()}@example.com`;
    const toFree = await h.gql(CHANGE, { newEmail: free, currentPassword: user.password }, { accessToken: user.accessToken });
    const toTaken = await h.gql(CHANGE, { newEmail: other.email, currentPassword: user.password }, { accessToken: user.accessToken });
    expect(toTaken).toEqual(toFree);
    expect((await h.latestMail(other.email, 'identity.email_change_conflict'))?.text).toMatch(/nothing changed/);
    const otherLinks = (await h.mailbox.list(other.email)).filter((m) => m.template === 'identity.email_verification');
    expect(otherLinks).toHaveLength(1); // only its own, from registration
    // The later request voided the link to the free address.
    expect(codeOf(await h.gql(VERIFY, { token: await tokenSentTo(free) }))).toBe('INVALID_CODE');
    expect((await h.server.accounts.findById(user.id))?.email).toBe(user.email);
  });

  it('cannot complete when the new address became an account meanwhile', async () => {
    const user = await steppedUp();
    const newEmail = `race.${Date.now()}@example.com`;
    await h.gql(CHANGE, { newEmail, currentPassword: user.password }, { accessToken: user.accessToken });
    const token = await tokenSentTo(newEmail);
    expect((await h.gql(REGISTER, { input: newUser({ email: newEmail }) })).errors).toBeUndefined();
    expect(codeOf(await h.gql(VERIFY, { token }))).toBe('INVALID_CODE');
    expect((await h.server.accounts.findById(user.id))?.email).toBe(user.email);
  });

  it('refuses a wrong password with FORBIDDEN and a bad address with BAD_USER_INPUT, changing and sending nothing', async () => {
    const user = await steppedUp();
    await h.server.mail.settled();
    const sent = (await h.mailbox.list(user.email)).length;
    const wrong = await h.gql(CHANGE, { newEmail: `x.${Date.now()}@example.com`, currentPassword: 'not the password at all' }, { accessToken: user.accessToken });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WRONG_PASSWORD', field: 'currentPassword' });
    for (const newEmail of ['not-an-email', user.email.toUpperCase()]) {
      const bad = await h.gql(CHANGE, { newEmail, currentPassword: user.password }, { accessToken: user.accessToken });
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newEmail' });
    }
    expect(codeOf(await h.gql(CHANGE, { newEmail: 'a@example.com', currentPassword: user.password }))).toBe('UNAUTHENTICATED');
    await h.server.mail.settled();
    expect(await h.mailbox.list(user.email)).toHaveLength(sent);
    expect(await auditTypes(user.id)).not.toContain('EMAIL_CHANGE_REQUESTED');
    expect(await auditTypes(user.id)).toContain('REAUTHENTICATION_FAILED');
  });
});
