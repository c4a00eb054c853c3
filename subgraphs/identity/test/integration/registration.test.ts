import { newUser, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

describe('register', () => {
  it('creates a customer with a normalised email, unverified, and emails a verification link', async () => {
    const input = newUser({ email: '  Ada.Lovelace@Example.COM ', phone: '+44 7700 900456' });
    const res = await h.gql(REGISTER, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data?.register).toEqual({ email: 'ada.lovelace@example.com', verificationSent: true });
    const user = await h.server.accounts.findByEmail('ada.lovelace@example.com');
    expect(user).toMatchObject({ phone: '+447700900456', roles: ['CUSTOMER'], status: 'ACTIVE', emailVerifiedAt: null });
    expect(user!.createdAt.getTime()).toBeGreaterThan(0);
    const [row] = await h.server.dataSource.query(`SELECT password_hash FROM identity.users WHERE email = $1`, [
      'ada.lovelace@example.com',
    ]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const mail = await h.latestMail('ada.lovelace@example.com', 'identity.email_verification');
    expect(mail?.data?.token).toMatch(/^mev_[A-Za-z0-9_-]{43}$/);
    expect(mail?.data?.link).toBe(`http://localhost:4000/verify-email?token=${mail?.data?.token}`);
  });

  it.each([
    ['malformed email', { email: 'not-an-email' }, 'email'],
    ['email with two @', { email: 'a@b@example.com' }, 'email'],
    ['short password', { password: 'short' }, 'password'],
    ['common password', { password: 'password1234' }, 'password'],
    ['password of one repeated character', { password: 'aaaaaaaaaaaaaaaa' }, 'password'],
    ['password over 128 characters', { password: 'x1y2'.repeat(40) }, 'password'],
    ['keyboard run', { password: 'qwertyuiopasdfgh' }, 'password'],
    ['common password with a capital and digits', { password: 'Password123456' }, 'password'],
    ['keyboard pattern over two rows', { password: '1qaz2wsx3edc4rfv' }, 'password'],
    ['repeated word', { password: 'monkeymonkey12' }, 'password'],
    ['common word and a year', { password: 'football2026' }, 'password'],
    ['empty display name', { displayName: '   ' }, 'displayName'],
    ['display name with a bidi override', { displayName: 'Eve\u202Eevil' }, 'displayName'],
    ['phone not in E.164', { phone: '07700 900123' }, 'phone'],
  ])('refuses a %s with BAD_USER_INPUT, writes nothing and sends nothing', async (_name, override, field) => {
    const users = await h.count('users');
    const audits = await h.count('audit_events');
    const input = newUser(override);
    const res = await h.gql(REGISTER, { input });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await h.count('users')).toBe(users);
    expect(await h.count('audit_events')).toBe(audits);
    await h.server.mail.settled();
    if (typeof input.email === 'string') expect(await h.mailbox.list(input.email)).toEqual([]);
  });

  it('judges a password by how quickly it would be guessed: says why and what would help, and accepts a long passphrase of ordinary words', async () => {
    const weak = await h.gql(REGISTER, { input: newUser({ password: 'iloveyou1234567' }) });
    expect(weak.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(weak.errors?.[0].message).toMatch(/^The password is too weak: .+\. .+/);
    // The customer's own name does not make a password.
    const named = await h.gql(REGISTER, { input: newUser({ displayName: 'Bartholomew Quince', password: 'bartholomewquince' }) });
    expect(named.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    // No character classes are asked for: lower-case words with spaces pass.
    expect((await h.gql(REGISTER, { input: newUser({ password: 'lantern orchard velvet pickle' }) })).errors).toBeUndefined();
  });

  it('refuses a password that contains the email name', async () => {
    const res = await h.gql(REGISTER, { input: newUser({ email: 'margaret@example.com', password: 'margaret-is-great-1815' }) });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a registered email (whatever its case) exactly as a new one, creates nothing, and tells the owner', async () => {
    const owner = newUser();
    const first = await h.gql(REGISTER, { input: owner });
    const users = await h.count('users');
    const again = await h.gql(REGISTER, { input: { ...newUser(), email: `  ${owner.email.toUpperCase()}` } });
    expect(again).toEqual(first);
    expect(again.data?.register).toEqual({ email: owner.email, verificationSent: true });
    expect(await h.count('users')).toBe(users);
    const notice = await h.latestMail(owner.email, 'identity.registration_duplicate');
    expect(notice?.text).toMatch(/already has one.*reset your password/);
    // The owner's account is unchanged: still their password and name.
    expect((await h.server.accounts.findByEmail(owner.email))?.displayName).toBe(owner.displayName);
    const [audit] = await h.server.dataSource.query(
      `SELECT user_id, details FROM identity.audit_events WHERE type = 'REGISTRATION_DUPLICATE' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual({ user_id: await h.idOf(owner.email), details: { field: 'email' } });
  });

  it('answers a registered phone number as a free one, creates nothing, and tells the address given', async () => {
    expect((await h.gql(REGISTER, { input: newUser({ phone: '+14155550100' }) })).errors).toBeUndefined();
    const users = await h.count('users');
    const second = newUser({ phone: '+1 415 555 0100' });
    const res = await h.gql(REGISTER, { input: second });
    expect(res.errors).toBeUndefined();
    expect(res.data?.register).toEqual({ email: second.email, verificationSent: true });
    expect(await h.count('users')).toBe(users);
    expect(await h.latestMail(second.email, 'identity.registration_incomplete')).toBeDefined();
    expect(await h.mailbox.latest(second.email, 'identity.email_verification')).toBeUndefined();
  });

  it('creates one account when the same address registers twice at once, and answers both alike', async () => {
    const input = newUser();
    const [a, b] = await Promise.all([h.gql(REGISTER, { input }), h.gql(REGISTER, { input: { ...input, displayName: 'Twin' } })]);
    expect(a).toEqual(b);
    const [{ n }] = await h.server.dataSource.query(`SELECT count(*)::int AS n FROM identity.users WHERE email = $1`, [input.email]);
    expect(n).toBe(1);
    await h.server.mail.settled();
    const templates = (await h.mailbox.list(input.email)).map((m) => m.template).sort();
    expect(templates).toEqual(['identity.email_verification', 'identity.registration_duplicate']);
  });

  it('refuses wrongly typed input with a GraphQL validation code', async () => {
    const res = await h.gql(REGISTER, { input: { email: 42 } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).not.toMatch(/\bat\b.*\.ts/);
  });

  it('keeps the audit log append-only', async () => {
    expect(await h.count('audit_events')).toBeGreaterThan(0);
    await expect(h.server.dataSource.query(`UPDATE identity.audit_events SET type = 'X'`)).rejects.toThrow(/append-only/);
    await expect(h.server.dataSource.query(`DELETE FROM identity.audit_events`)).rejects.toThrow(/append-only/);
  });
});
