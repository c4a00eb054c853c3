import { LOGIN, newUser, REFRESH, REGISTER, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
const user = newUser();
beforeAll(async () => {
  h = await startIdentity();
  expect((await h.gql(REGISTER, { input: user })).errors).toBeUndefined();
});
afterAll(() => h.close());

interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

async function login(deviceId?: string): Promise<Tokens> {
  const res = await h.gql(LOGIN, { input: { email: user.email, password: user.password, deviceId } });
  expect(res.errors).toBeUndefined();
  return res.data!.login;
}

const refresh = (token: string, deviceId?: string) => h.gql(REFRESH, { token, deviceId });
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0].extensions?.code;

/** The session (family) a refresh token belongs to, as stored. */
async function sessionOf(refreshToken: string): Promise<{ id: string; device_id: string | null; revoked_at: Date | null }> {
  const [row] = await h.server.dataSource.query(
    `SELECT s.id, s.device_id, s.revoked_at FROM identity.sessions s
       JOIN identity.refresh_tokens t ON t.family_id = s.id
      WHERE t.token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
    [refreshToken],
  );
  return row;
}

async function lastMismatch(): Promise<Record<string, unknown> | undefined> {
  const rows: { details: Record<string, unknown> }[] = await h.server.dataSource.query(
    `SELECT details FROM identity.audit_events WHERE type = 'REFRESH_DEVICE_MISMATCH' ORDER BY id DESC LIMIT 1`,
  );
  return rows[0]?.details;
}

describe('refresh tokens bound to a device', () => {
  it('refresh with the device id given at sign-in', async () => {
    const tokens = await login('phone-1');
    expect((await sessionOf(tokens.refreshToken)).device_id).toBe('phone-1');
    const res = await refresh(tokens.refreshToken, 'phone-1');
    expect(res.errors).toBeUndefined();
    expect(res.data!.refreshSession.refreshToken).not.toBe(tokens.refreshToken);
  });

  it('refuse a different device id with UNAUTHENTICATED, revoke the family and audit it', async () => {
    const tokens = await login('phone-2');
    const session = await sessionOf(tokens.refreshToken);
    const res = await refresh(tokens.refreshToken, 'someone-elses-phone');
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.data ?? null).toBeNull();
    // Treated as a stolen token: the rightful device is signed out too.
    expect((await sessionOf(tokens.refreshToken)).revoked_at).not.toBeNull();
    expect(codeOf(await refresh(tokens.refreshToken, 'phone-2'))).toBe('UNAUTHENTICATED');
    expect(await lastMismatch()).toEqual({ sessionId: session.id, deviceId: 'someone-elses-phone' });
    const [audit] = await h.server.dataSource.query(
      `SELECT user_id FROM identity.audit_events WHERE type = 'REFRESH_DEVICE_MISMATCH' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.user_id).toBe(tokens.user.id);
  });

  it('refuse a refresh without the device id and revoke the family', async () => {
    const tokens = await login('phone-3');
    expect(codeOf(await refresh(tokens.refreshToken))).toBe('UNAUTHENTICATED');
    expect(codeOf(await refresh(tokens.refreshToken, 'phone-3'))).toBe('UNAUTHENTICATED');
    expect(await lastMismatch()).toMatchObject({ deviceId: null });
  });

  it('keep the binding across rotations', async () => {
    const tokens = await login('phone-4');
    const second = (await refresh(tokens.refreshToken, 'phone-4')).data!.refreshSession;
    expect(codeOf(await refresh(second.refreshToken, 'phone-5'))).toBe('UNAUTHENTICATED');
  });

  it('compare the device id as sign-in stored it (cut to 128 characters)', async () => {
    const long = 'd'.repeat(200);
    const tokens = await login(long);
    expect((await sessionOf(tokens.refreshToken)).device_id).toBe('d'.repeat(128));
    expect((await refresh(tokens.refreshToken, long)).errors).toBeUndefined();
  });

  it('do not apply to a session opened without a device id: it refreshes without one, and one sent later is ignored', async () => {
    const tokens = await login();
    const second = await refresh(tokens.refreshToken);
    expect(second.errors).toBeUndefined();
    const third = await refresh(second.data!.refreshSession.refreshToken, 'any-device');
    expect(third.errors).toBeUndefined();
    expect((await sessionOf(third.data!.refreshSession.refreshToken)).device_id).toBeNull();
  });

  it('leave a reused token to reuse detection, whatever device presents it', async () => {
    const tokens = await login('phone-6');
    expect((await refresh(tokens.refreshToken, 'phone-6')).errors).toBeUndefined();
    const reuse = await refresh(tokens.refreshToken, 'other-phone');
    expect(reuse.errors?.[0].message).toMatch(/already used/);
    expect((await sessionOf(tokens.refreshToken)).revoked_at).not.toBeNull();
  });
});
