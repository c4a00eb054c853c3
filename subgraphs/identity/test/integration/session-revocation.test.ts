import { decodeJwt } from 'jose';
import { createMemorySessionRevocations, type SessionRevocations } from '@meridian/platform';
import { createIdentityDataSource } from '../../src/data/data-source';
import { publishRevokedSessions } from '../../src/services/session-revocation';
import { revokeAllSessions } from '../../src/services/session-family';
import { LOGIN, LOGOUT, ME, newUser, REFRESH, REVOKE_SESSION, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// Every way identity ends a session puts it on the revocation list, in the same
// transaction: its access tokens are refused at once, and a list that cannot be
// written fails the sign-out with nothing changed.

const memory = createMemorySessionRevocations();
let failing = false;
const revoked: string[][] = [];
// The memory list, made to fail on demand as Redis does when it is lost.
const revocations: SessionRevocations = {
  ...memory,
  kind: 'memory',
  async revoke(sessionIds, keepMs) {
    if (failing) throw new Error('connection lost');
    revoked.push([...sessionIds]);
    await memory.revoke(sessionIds, keepMs);
  },
};

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity({}, { revocations });
});
afterAll(async () => {
  await h.close();
  await memory.close();
});

const origin = { ip: '203.0.113.9', userAgent: 'jest', requestId: 'test' };

async function signedIn(user: { email: string; password: string }, deviceId?: string) {
  const res = await h.gql(LOGIN, { input: { email: user.email, password: user.password, ...(deviceId ? { deviceId } : {}) } });
  expect(res.errors).toBeUndefined();
  const session = res.data!.login as { accessToken: string; refreshToken: string; user: { id: string } };
  return { ...session, sessionId: String(decodeJwt(session.accessToken).sid) };
}

async function newCustomer() {
  const user = newUser();
  await h.server.accounts.register(user, origin);
  return user;
}

describe('ending a session in identity', () => {
  it('logout puts the session on the list: its access token is refused at once, the other session of the user keeps working', async () => {
    const user = await newCustomer();
    const [phone, browser] = [await signedIn(user), await signedIn(user)];
    expect((await h.gql(LOGOUT, {}, { accessToken: phone.accessToken })).data?.logout).toBe(true);
    expect(memory.isRevoked(phone.sessionId)).toBe(true);
    const refused = await h.gql(ME, {}, { accessToken: phone.accessToken });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    expect((await h.gql(ME, {}, { accessToken: browser.accessToken })).data?.me.email).toBe(user.email);
  });

  it('revokeSession, refresh-token reuse and a device mismatch put the session on the list too', async () => {
    const user = await newCustomer();
    const [a, b, c] = [await signedIn(user), await signedIn(user), await signedIn(user, 'phone-0001')];
    expect((await h.gql(REVOKE_SESSION, { id: b.sessionId }, { accessToken: a.accessToken })).data?.revokeSession).toBe(true);
    expect(memory.isRevoked(b.sessionId)).toBe(true);

    const refreshed = await h.gql(REFRESH, { token: a.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    expect(memory.isRevoked(a.sessionId)).toBe(false);
    expect((await h.gql(REFRESH, { token: a.refreshToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(memory.isRevoked(a.sessionId)).toBe(true);

    expect((await h.gql(REFRESH, { token: c.refreshToken, deviceId: 'phone-9999' })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(memory.isRevoked(c.sessionId)).toBe(true);
  });

  it('revokeAllSessions ends every live session and puts them all on the list in one write', async () => {
    const user = await newCustomer();
    const sessions = [await signedIn(user), await signedIn(user), await signedIn(user)];
    const userId = sessions[0].user.id;
    const writesBefore = revoked.length;
    const ended = await h.server.dataSource.transaction((manager) => revokeAllSessions(manager, userId));
    expect([...ended].sort()).toEqual(sessions.map((s) => s.sessionId).sort());
    expect(revoked.length).toBe(writesBefore + 1);
    for (const { sessionId } of sessions) expect(memory.isRevoked(sessionId)).toBe(true);
  });

  it('fails a sign-out with SERVICE_UNAVAILABLE when the list cannot be written, and changes nothing', async () => {
    const user = await newCustomer();
    const session = await signedIn(user);
    const auditBefore = await h.count('audit_events');
    failing = true;
    try {
      const res = await h.gql(LOGOUT, { token: session.refreshToken });
      expect(res.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      const revoke = await h.gql(REVOKE_SESSION, { id: session.sessionId }, { accessToken: session.accessToken });
      expect(revoke.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      failing = false;
    }
    const [row] = await h.server.dataSource.query(`SELECT revoked_at FROM identity.sessions WHERE id = $1`, [session.sessionId]);
    expect(row.revoked_at).toBeNull();
    expect(await h.count('audit_events')).toBe(auditBefore);
    expect(memory.isRevoked(session.sessionId)).toBe(false);
    // Still signed in: the sign-out can simply be tried again.
    expect((await h.gql(ME, {}, { accessToken: session.accessToken })).data?.me.email).toBe(user.email);
    expect((await h.gql(LOGOUT, { token: session.refreshToken })).data?.logout).toBe(true);
    expect(memory.isRevoked(session.sessionId)).toBe(true);
  });

  it('refuses to end a session through a data source no list is bound to, rather than leave its tokens working', async () => {
    const unbound = createIdentityDataSource(h.db.url);
    await unbound.initialize();
    try {
      await expect(unbound.transaction((manager) => publishRevokedSessions(manager, ['00000000-0000-7000-8000-000000000001']))).rejects.toThrow(/No session revocation list/);
    } finally {
      await unbound.destroy();
    }
  });
});
