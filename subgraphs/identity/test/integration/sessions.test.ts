import { LOGIN, LOGOUT, ME, newUser, REFRESH, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
const user = newUser();
beforeAll(async () => {
  h = await startIdentity();
  const res = await h.gql(REGISTER, { input: user });
  expect(res.errors).toBeUndefined();
});
afterAll(() => h.close());

const login = (email = user.email, password = user.password, extra: Record<string, unknown> = {}) =>
  h.gql(LOGIN, { input: { email, password, ...extra } }, { headers: { 'x-client-ip': '203.0.113.7', 'x-client-user-agent': 'MeridianApp/1.0' } });

async function auditTypes(): Promise<string[]> {
  const rows: { type: string }[] = await h.server.dataSource.query(`SELECT type FROM identity.audit_events ORDER BY id`);
  return rows.map((r) => r.type);
}

describe('login', () => {
  it('returns a ~10 minute access token and a refresh token, and me works with it', async () => {
    const res = await login(user.email.toUpperCase());
    expect(res.errors).toBeUndefined();
    const session = res.data!.login;
    const ttl = new Date(session.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    expect(session.refreshToken).toMatch(/^mrt_/);
    const me = await h.gql(ME, {}, { accessToken: session.accessToken });
    expect(me.data?.me).toMatchObject({ email: user.email, roles: ['CUSTOMER'] });
    const [audit] = await h.server.dataSource.query(
      `SELECT ip, user_agent, user_id FROM identity.audit_events WHERE type = 'LOGIN_SUCCEEDED' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual({ ip: '203.0.113.7', user_agent: 'MeridianApp/1.0', user_id: session.user.id });
  });

  it('fails the same way for an unknown email and a wrong password, and audits both', async () => {
    const before = await h.count('refresh_tokens');
    const wrong = await login(user.email, 'not the right password');
    const unknown = await login('nobody@example.com', user.password);
    for (const res of [wrong, unknown]) {
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(wrong.errors?.[0].message).toBe(unknown.errors?.[0].message);
    expect(await h.count('refresh_tokens')).toBe(before);
    const failed = await h.server.dataSource.query(
      `SELECT user_id FROM identity.audit_events WHERE type = 'LOGIN_FAILED' ORDER BY id DESC LIMIT 2`,
    );
    expect(failed).toHaveLength(2);
  });

  it('does the same password-hashing work for an unknown email as for a known one', async () => {
    // Compare the two paths side by side; a missing decoy hash makes the unknown path ~100x faster.
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      await login(email, 'not the right password');
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(user.email));
      unknown.push(await time(`ghost${i}@example.com`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1];
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.3);
  });
});

describe('refresh tokens', () => {
  it('rotate, and reusing an old one ends the whole session', async () => {
    const first = (await login()).data!.login;
    const second = await h.gql(REFRESH, { token: first.refreshToken });
    expect(second.errors).toBeUndefined();
    const rotated = second.data!.refreshSession;
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect((await h.gql(ME, {}, { accessToken: rotated.accessToken })).data?.me.email).toBe(user.email);

    const reuse = await h.gql(REFRESH, { token: first.refreshToken });
    expect(reuse.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // The thief's reuse also kills the legitimate client's newer token.
    const afterReuse = await h.gql(REFRESH, { token: rotated.refreshToken });
    expect(afterReuse.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await auditTypes()).toContain('REFRESH_TOKEN_REUSED');
  });

  it('lets exactly one of many concurrent refreshes with the same token win', async () => {
    const session = (await login()).data!.login;
    const results = await Promise.all(Array.from({ length: 8 }, () => h.gql(REFRESH, { token: session.refreshToken })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
  });

  it('refuses unknown and malformed tokens', async () => {
    for (const token of ['mrt_' + 'A'.repeat(43), 'garbage', '']) {
      const res = await h.gql(REFRESH, { token });
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('logout', () => {
  it('ends the session of a refresh token', async () => {
    const session = (await login()).data!.login;
    const out = await h.gql(LOGOUT, { token: session.refreshToken });
    expect(out.data?.logout).toBe(true);
    expect((await h.gql(REFRESH, { token: session.refreshToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await h.gql(LOGOUT, { token: session.refreshToken })).data?.logout).toBe(false);
    expect(await auditTypes()).toContain('LOGGED_OUT');
  });

  it('ends the session of the access token when no refresh token is given', async () => {
    const session = (await login()).data!.login;
    expect((await h.gql(LOGOUT, {}, { accessToken: session.accessToken })).data?.logout).toBe(true);
    expect((await h.gql(REFRESH, { token: session.refreshToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('needs a refresh token or a signed-in caller', async () => {
    expect((await h.gql(LOGOUT, {})).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
