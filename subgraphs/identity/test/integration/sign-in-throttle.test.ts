import { DEFAULT_SIGN_IN_POLICY, type SignInPolicy } from '../../src/domain/sign-in-throttle';
import { LOGIN, newUser, REGISTER, startIdentity, type GqlResponse, type IdentityHarness } from '../helpers/identity-harness';

// Identity slows failed sign-ins per email address itself, so no path around the BFF helps:
// the same answers for registered and unknown addresses, counted before the password is looked
// at (also under concurrency), and a refused or locked answer never tells whether the password was right.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WRONG = 'not the right password at all';

function outcome(res: GqlResponse) {
  const error = res.errors?.[0];
  return error ? { code: error.extensions?.code, reason: error.extensions?.reason } : { code: 'OK', reason: undefined };
}

async function register(h: IdentityHarness, overrides: Record<string, unknown> = {}) {
  const user = newUser(overrides);
  const res = await h.gql(REGISTER, { input: user });
  expect(res.errors).toBeUndefined();
  return { ...user, id: await h.idOf(user.email) };
}

async function auditCount(h: IdentityHarness, type: string, where: { userId?: string; email?: string }): Promise<number> {
  const [{ n }] = await h.server.dataSource.query(
    `SELECT count(*)::int AS n FROM identity.audit_events WHERE type = $1 AND (user_id = $2 OR details->>'email' = $3)`,
    [type, where.userId ?? null, where.email ?? null],
  );
  return n;
}

describe('sign-in throttle with the default policy', () => {
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await startIdentity();
  });
  afterAll(() => h.close());
  const login = (email: string, password: string, extra: Record<string, unknown> = {}) => h.gql(LOGIN, { input: { email, password, ...extra } });

  it('answers a registered and an unknown address alike: five wrong attempts are checked, then each must wait, right password or not', async () => {
    const user = await register(h);
    const unknown = `nobody.${Date.now()}@example.com`;
    for (const email of [user.email, unknown]) {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(outcome(await login(email, WRONG)));
      expect(answers).toEqual(Array(5).fill({ code: 'UNAUTHENTICATED', reason: undefined }));
      const sixth = await login(email, user.password);
      expect(outcome(sixth)).toEqual({ code: 'RATE_LIMITED', reason: 'SIGN_IN_BACKOFF' });
      expect(sixth.errors?.[0].extensions?.retryAfter).toBe(1);
      expect(sixth.data ?? null).toBeNull();
    }
    await sleep(DEFAULT_SIGN_IN_POLICY.backoffBaseMs + 100);
    expect(outcome(await login(user.email, user.password))).toEqual({ code: 'OK', reason: undefined });
  });

  it('counts concurrent attempts one by one: of 20 at once, exactly 5 reach the password check', async () => {
    const user = await register(h);
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(user.email, WRONG)));
    const codes = answers.map((a) => a.errors?.[0].extensions?.code);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(15);
    expect(await auditCount(h, 'LOGIN_FAILED', { userId: user.id })).toBe(5);
    expect(await auditCount(h, 'LOGIN_THROTTLED', { userId: user.id })).toBe(15);
  });

  it('clears the count on a successful sign-in', async () => {
    const user = await register(h);
    for (let i = 0; i < 4; i++) await login(user.email, WRONG);
    expect(outcome(await login(user.email, user.password))).toEqual({ code: 'OK', reason: undefined });
    const again = [];
    for (let i = 0; i < 5; i++) again.push(outcome(await login(user.email, WRONG)).code);
    expect(again).toEqual(Array(5).fill('UNAUTHENTICATED'));
    expect(outcome(await login(user.email, WRONG))).toEqual({ code: 'RATE_LIMITED', reason: 'SIGN_IN_BACKOFF' });
  });

  it('counts every spelling of one address together', async () => {
    const user = await register(h);
    const [name, domain] = user.email.split('@');
    const spellings = [user.email.toUpperCase(), ` ${user.email}`, `${user.email} `, `${name.toUpperCase()}@${domain}`, `${name}@${domain.toUpperCase()}`];
    for (const spelling of spellings) expect(outcome(await login(spelling, WRONG)).code).toBe('UNAUTHENTICATED');
    expect(outcome(await login(user.email, user.password))).toEqual({ code: 'RATE_LIMITED', reason: 'SIGN_IN_BACKOFF' });
  });

  it('answers an account that may not sign in as a wrong password, whatever the password', async () => {
    for (const status of ['LOCKED', 'DISABLED']) {
      const user = await register(h);
      await h.server.dataSource.query(`UPDATE identity.users SET status = $2 WHERE id = $1`, [user.id, status]);
      const right = await login(user.email, user.password);
      const wrong = await login(user.email, WRONG);
      expect(right.errors?.[0]).toEqual(wrong.errors?.[0]);
      expect(outcome(right)).toEqual({ code: 'UNAUTHENTICATED', reason: undefined });
    }
  });
});

describe('sign-in lock', () => {
  const policy: SignInPolicy = { ...DEFAULT_SIGN_IN_POLICY, freeAttempts: 2, backoffBaseMs: 100, backoffMaxMs: 200, lockAfter: 4, lockMs: 10 * 60_000 };
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await startIdentity({}, { signInPolicy: policy });
  });
  afterAll(() => h.close());
  const login = (email: string, password: string) => h.gql(LOGIN, { input: { email, password } });

  async function lockOut(email: string): Promise<void> {
    await login(email, WRONG);
    await login(email, WRONG);
    await sleep(policy.backoffBaseMs + 50);
    await login(email, WRONG);
    await sleep(policy.backoffMaxMs + 50);
    expect(outcome(await login(email, WRONG)).code).toBe('UNAUTHENTICATED');
  }

  it('locks after too many attempts; while locked the right password gets the answer a wrong one gets; support staff end the lock', async () => {
    const user = await register(h);
    await lockOut(user.email);
    const locking = await login(user.email, WRONG);
    expect(outcome(locking)).toEqual({ code: 'RATE_LIMITED', reason: 'SIGN_IN_LOCKED' });
    expect(locking.errors?.[0].extensions?.retryAfter).toBe(600);
    const right = await login(user.email, user.password);
    const wrong = await login(user.email, WRONG);
    expect(outcome(right)).toEqual({ code: 'RATE_LIMITED', reason: 'SIGN_IN_LOCKED' });
    expect(right.errors?.[0].message).toBe(wrong.errors?.[0].message);
    expect(await auditCount(h, 'SIGN_IN_LOCKED', { userId: user.id })).toBe(1);

    // A customer may not end a lock; support staff may, and it is audited.
    const customer = await register(h);
    const customerToken = (await login(customer.email, customer.password)).data!.login.accessToken as string;
    const UNLOCK = `mutation U($id: ID!) { unlockSignIn(userId: $id) }`;
    expect((await h.gql(UNLOCK, { id: user.id }, { accessToken: customerToken })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await h.gql(UNLOCK, { id: user.id })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const staff = newUser();
    await h.server.accounts.register(staff, { ip: '', userAgent: '', requestId: 'test' }, ['SUPPORT']);
    // Staff sign in with a second factor (an emailed code here).
    const staffToken = (await h.signIn(staff.email, staff.password)).accessToken;
    expect((await h.gql(UNLOCK, { id: '00000000-0000-7000-8000-000000000000' }, { accessToken: staffToken })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await h.gql(UNLOCK, { id: user.id }, { accessToken: staffToken })).data).toEqual({ unlockSignIn: true });
    expect(await auditCount(h, 'SIGN_IN_UNLOCKED', { userId: user.id })).toBe(1);
    expect(outcome(await login(user.email, user.password))).toEqual({ code: 'OK', reason: undefined });
  });

  it('locks an unknown address the same way', async () => {
    const email = `ghost.${Date.now()}@example.com`;
    await lockOut(email);
    expect(outcome(await login(email, WRONG))).toEqual({ code: 'RATE_LIMITED', reason: 'SIGN_IN_LOCKED' });
  });
});
