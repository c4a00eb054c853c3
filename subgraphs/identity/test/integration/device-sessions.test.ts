import { uuidv7 } from '@meridian/platform';
import {
  LOGIN,
  LOGOUT,
  ME,
  MY_SESSIONS,
  newUser,
  REFRESH,
  REGISTER,
  REVOKE_SESSION,
  startIdentity,
  type IdentityHarness,
} from '../helpers/identity-harness';

interface Session {
  id: string;
  deviceId: string | null;
  userAgent: string | null;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
  current: boolean;
}
interface Tokens {
  accessToken: string;
  refreshToken: string;
  refreshExpiresAt: string;
  user: { id: string };
}

let h: IdentityHarness;
const alice = newUser();
const bob = newUser();
beforeAll(async () => {
  h = await startIdentity();
  for (const user of [alice, bob]) expect((await h.gql(REGISTER, { input: user })).errors).toBeUndefined();
});
afterAll(() => h.close());

async function login(user: { email: string; password: string }, deviceId?: string, userAgent = 'MeridianApp/1.0'): Promise<Tokens> {
  const res = await h.gql(LOGIN, { input: { email: user.email, password: user.password, deviceId } }, { headers: { 'x-client-user-agent': userAgent } });
  expect(res.errors).toBeUndefined();
  return res.data!.login;
}

async function sessionsOf(tokens: { accessToken: string }): Promise<Session[]> {
  const res = await h.gql(MY_SESSIONS, {}, { accessToken: tokens.accessToken });
  expect(res.errors).toBeUndefined();
  return res.data!.me.sessions;
}

const refresh = (token: string, deviceId?: string) => h.gql(REFRESH, { token, deviceId });
const revoke = (id: string, accessToken?: string) => h.gql(REVOKE_SESSION, { id }, { accessToken });
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0].extensions?.code;

async function audit(type: string, userId: string): Promise<{ details: Record<string, unknown> }[]> {
  return h.server.dataSource.query(`SELECT details FROM identity.audit_events WHERE type = $1 AND user_id = $2 ORDER BY id`, [type, userId]);
}

describe('User.sessions', () => {
  it('lists the sessions of two devices, newest activity first, with current set for the caller', async () => {
    const user = newUser();
    await h.gql(REGISTER, { input: user });
    const phone = await login(user, 'phone-1', 'MeridianApp/1.0 (iPhone; iOS 18.1)');
    const tablet = await login(user, 'tablet-1', 'MeridianApp/1.0 (Android 15)');

    const fromPhone = await sessionsOf(phone);
    expect(fromPhone.map((s) => [s.deviceId, s.userAgent, s.current])).toEqual([
      ['tablet-1', 'MeridianApp/1.0 (Android 15)', false],
      ['phone-1', 'MeridianApp/1.0 (iPhone; iOS 18.1)', true],
    ]);
    expect(fromPhone[1].expiresAt).toBe(phone.refreshExpiresAt);
    expect(fromPhone[1].lastActiveAt).toBe(fromPhone[1].createdAt);
    const fromTablet = await sessionsOf(tablet);
    expect(fromTablet.map((s) => [s.deviceId, s.current])).toEqual([
      ['tablet-1', true],
      ['phone-1', false],
    ]);

    // A refresh is activity: the phone moves to the top, with its new expiry; the session id stays.
    const rotated = (await refresh(phone.refreshToken, 'phone-1')).data!.refreshSession as Tokens;
    const after = await sessionsOf(rotated);
    expect(after.map((s) => [s.id, s.deviceId, s.current])).toEqual([
      [fromPhone[1].id, 'phone-1', true],
      [fromPhone[0].id, 'tablet-1', false],
    ]);
    expect(after[0].expiresAt).toBe(rotated.refreshExpiresAt);
    expect(new Date(after[0].lastActiveAt).getTime()).toBeGreaterThan(new Date(after[0].createdAt).getTime());
  });

  it('can be read in the response of login itself, with the new session as current', async () => {
    const res = await h.gql(
      `mutation L($input: LoginInput!) { login(input: $input) { user { sessions { deviceId current } } } }`,
      { input: { email: alice.email, password: alice.password, deviceId: 'alice-watch' } },
    );
    expect(res.errors).toBeUndefined();
    const sessions: { deviceId: string; current: boolean }[] = res.data!.login.user.sessions;
    expect(sessions.filter((s) => s.current)).toEqual([{ deviceId: 'alice-watch', current: true }]);
  });

  it('leaves out sessions that were logged out, revoked or have expired', async () => {
    const user = newUser();
    await h.gql(REGISTER, { input: user });
    const kept = await login(user, 'kept');
    const loggedOut = await login(user, 'logged-out');
    await login(user, 'expired');
    await h.gql(LOGOUT, { token: loggedOut.refreshToken });
    const expiredId = (await sessionsOf(kept)).find((s) => s.deviceId === 'expired')!.id;
    await h.server.dataSource.query(`UPDATE identity.sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiredId]);
    expect((await sessionsOf(kept)).map((s) => s.deviceId)).toEqual(['kept']);
    expect(codeOf(await revoke(expiredId, kept.accessToken))).toBe('NOT_FOUND');
  });

  it("refuses another user's sessions with FORBIDDEN, staff included, also through an entity reference", async () => {
    const aliceTokens = await login(alice, 'alice-phone');
    const bobTokens = await login(bob);
    const staff = newUser();
    await h.server.accounts.register(staff, { ip: '', userAgent: '', requestId: 'test' }, ['SUPPORT']);
    // Staff sign in with a second factor (an emailed code here).
    const staffTokens = await h.signIn(staff.email, staff.password);
    const ENTITY = `query E($r: [_Any!]!) { _entities(representations: $r) { ... on User { id sessions { id } } } }`;
    const representations = [{ __typename: 'User', id: aliceTokens.user.id }];

    for (const tokens of [bobTokens, staffTokens]) {
      const res = await h.gql(ENTITY, { r: representations }, { accessToken: tokens.accessToken });
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(JSON.stringify(res.data)).not.toContain('alice-phone');
    }
    expect(codeOf(await h.gql(ENTITY, { r: representations }))).toBe('UNAUTHENTICATED');
    const own = await h.gql(ENTITY, { r: representations }, { accessToken: aliceTokens.accessToken });
    expect(own.errors).toBeUndefined();
    expect(own.data!._entities[0].sessions.length).toBeGreaterThan(0);
  });

  it('is served by an index on the user and activity of live sessions', async () => {
    const plan: { 'QUERY PLAN': string }[] = await h.server.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL enable_seqscan = off`);
      return m.query(
        `EXPLAIN SELECT * FROM identity.sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
         ORDER BY last_active_at DESC, id DESC`,
        [uuidv7()],
      );
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('sessions_user_live_idx');
  });
});

describe('revokeSession', () => {
  it("ends that device's refresh token and not the other's, and is audited", async () => {
    const user = newUser();
    expect((await h.gql(REGISTER, { input: user })).errors).toBeUndefined();
    const userId = await h.idOf(user.email);
    const phone = await login(user, 'phone-2');
    const laptop = await login(user, 'laptop-2');
    const [laptopSession, phoneSession] = await sessionsOf(phone);
    expect(phoneSession.current).toBe(true);

    const res = await revoke(laptopSession.id, phone.accessToken);
    expect(res.errors).toBeUndefined();
    expect(res.data!.revokeSession).toBe(true);

    expect(codeOf(await refresh(laptop.refreshToken, 'laptop-2'))).toBe('UNAUTHENTICATED');
    const phoneRefreshed = await refresh(phone.refreshToken, 'phone-2');
    expect(phoneRefreshed.errors).toBeUndefined();
    expect((await sessionsOf(phoneRefreshed.data!.refreshSession)).map((s) => s.id)).toEqual([phoneSession.id]);
    // The revoked session's access token is refused at once too (the revocation list); the phone's still works.
    expect((await h.gql(ME, {}, { accessToken: laptop.accessToken })).errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    expect((await h.gql(ME, {}, { accessToken: phoneRefreshed.data!.refreshSession.accessToken })).data?.me.id).toBe(userId);

    expect(await audit('SESSION_REVOKED', userId)).toEqual([
      {
        details: {
          sessionId: laptopSession.id,
          deviceId: 'laptop-2',
          revokedBy: userId,
          revokedFromSession: phoneSession.id,
        },
      },
    ]);
    // Once ended, the session is unknown.
    expect(codeOf(await revoke(laptopSession.id, phone.accessToken))).toBe('NOT_FOUND');
  });

  it('may end the current session', async () => {
    const tokens = await login(alice, 'alice-tablet');
    const current = (await sessionsOf(tokens)).find((s) => s.current)!;
    expect((await revoke(current.id, tokens.accessToken)).data?.revokeSession).toBe(true);
    expect(codeOf(await refresh(tokens.refreshToken, 'alice-tablet'))).toBe('UNAUTHENTICATED');
  });

  it("answers someone else's session like an unknown one, and changes nothing", async () => {
    const aliceTokens = await login(alice, 'alice-laptop');
    const target = (await sessionsOf(aliceTokens)).find((s) => s.current)!;
    const bobTokens = await login(bob);
    const [{ n: auditBefore }] = await h.server.dataSource.query(`SELECT count(*)::int AS n FROM identity.audit_events`);

    const theirs = await revoke(target.id, bobTokens.accessToken);
    const unknown = await revoke(uuidv7(), bobTokens.accessToken);
    const malformed = await revoke('not-a-session', bobTokens.accessToken);
    for (const res of [theirs, unknown, malformed]) {
      expect(codeOf(res)).toBe('NOT_FOUND');
      expect(res.errors?.[0].message).toBe(theirs.errors?.[0].message);
      expect(res.data ?? null).toBeNull();
    }
    expect(theirs.errors?.[0].message).not.toContain(target.id);

    const [{ n: auditAfter }] = await h.server.dataSource.query(`SELECT count(*)::int AS n FROM identity.audit_events`);
    expect(auditAfter).toBe(auditBefore);
    expect((await sessionsOf(aliceTokens)).map((s) => s.id)).toContain(target.id);
    expect((await refresh(aliceTokens.refreshToken, 'alice-laptop')).errors).toBeUndefined();
  });

  it('needs an access token', async () => {
    expect(codeOf(await revoke(uuidv7()))).toBe('UNAUTHENTICATED');
  });

  it('never lets a refresh racing a revocation mint a token that survives it', async () => {
    for (let round = 0; round < 5; round++) {
      const tokens = await login(alice, `race-${round}`);
      const id = (await sessionsOf(tokens)).find((s) => s.current)!.id;
      const [refreshed, revoked] = await Promise.all([refresh(tokens.refreshToken, `race-${round}`), revoke(id, tokens.accessToken)]);
      expect(revoked.data?.revokeSession).toBe(true);
      if (!refreshed.errors) {
        const next = refreshed.data!.refreshSession.refreshToken;
        expect(codeOf(await refresh(next, `race-${round}`))).toBe('UNAUTHENTICATED');
      }
    }
  });
});
