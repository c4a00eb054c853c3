import { newUser, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

describe('register', () => {
  it('creates a customer with a normalised email', async () => {
    const input = newUser({ email: '  Ada.Lovelace@Example.COM ', phone: '+44 7700 900456' });
    const res = await h.gql(REGISTER, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data?.register).toMatchObject({
      email: 'ada.lovelace@example.com',
      phone: '+447700900456',
      roles: ['CUSTOMER'],
      status: 'ACTIVE',
    });
    expect(new Date(res.data?.register.createdAt).getTime()).toBeGreaterThan(0);
    const [row] = await h.server.dataSource.query(`SELECT password_hash FROM identity.users WHERE email = $1`, [
      'ada.lovelace@example.com',
    ]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
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
  ])('refuses a %s with BAD_USER_INPUT and writes nothing', async (_name, override, field) => {
    const users = await h.count('users');
    const audits = await h.count('audit_events');
    const res = await h.gql(REGISTER, { input: newUser(override) });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await h.count('users')).toBe(users);
    expect(await h.count('audit_events')).toBe(audits);
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

  it('refuses a duplicate email (whatever its case) with CONFLICT and writes nothing', async () => {
    const input = newUser();
    expect((await h.gql(REGISTER, { input })).errors).toBeUndefined();
    const users = await h.count('users');
    const audits = await h.count('audit_events');
    const res = await h.gql(REGISTER, { input: { ...newUser(), email: input.email.toUpperCase() } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect(await h.count('users')).toBe(users);
    expect(await h.count('audit_events')).toBe(audits);
  });

  it('refuses a duplicate phone number with CONFLICT', async () => {
    expect((await h.gql(REGISTER, { input: newUser({ phone: '+14155550100' }) })).errors).toBeUndefined();
    const res = await h.gql(REGISTER, { input: newUser({ phone: '+1 415 555 0100' }) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'phone' });
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
