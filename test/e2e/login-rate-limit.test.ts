import { startStack, type Stack } from '../helpers/stack';

// The field limit on `login` (5 a minute per caller) is counted atomically: of 50 concurrent
// attempts exactly 5 reach identity, whichever store backs it (Redis or memory).
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken } }`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

async function loginAuditCount(): Promise<number> {
  const [{ n }] = await stack.identity.dataSource.query(
    `SELECT count(*)::int AS n FROM identity.audit_events WHERE type IN ('LOGIN_SUCCEEDED', 'LOGIN_FAILED')`,
  );
  return n;
}

it('lets exactly 5 of 50 concurrent logins through and refuses the rest with 429 and Retry-After', async () => {
  const before = await loginAuditCount();
  const attempts = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      stack.call('mobile', LOGIN, { input: { email: `nobody${i}@example.com`, password: 'wrong password here', deviceId: `rate-test-device-${i}` } }),
    ),
  );
  const refused = attempts.filter((a) => a.errors?.[0].extensions?.code === 'RATE_LIMITED');
  const reached = attempts.filter((a) => a.errors?.[0].extensions?.code === 'UNAUTHENTICATED');
  expect(reached).toHaveLength(5);
  expect(refused).toHaveLength(45);
  for (const r of refused) {
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
  }
  expect((await loginAuditCount()) - before).toBe(5);
});

it('counts the per-email limit (20 per 15 minutes, across callers) on the address as identity compares it', async () => {
  const email = `casey.morgan.lindqvist.${Date.now()}@example.com`;
  const register = await stack.call(
    'mobile',
    'mutation R($input: RegisterInput!) { register(input: $input) { email } }',
    { input: { email, password: 'a long and unusual passphrase', displayName: 'Casey' } },
    { remoteAddress: '10.88.0.1' },
  );
  expect(register.errors).toBeUndefined();
  const userId = await stack.userIdOf(email);
  // 21 spellings of one address: a letter in upper case each, some with spaces around.
  const letters = [...email].map((c, i) => (/[a-z]/.test(c) ? i : -1)).filter((i) => i >= 0);
  const spellings = letters.slice(0, 21).map((pos, n) => {
    const spelled = email.slice(0, pos) + email[pos].toUpperCase() + email.slice(pos + 1);
    return n % 3 === 0 ? ` ${spelled}` : n % 3 === 1 ? `${spelled} ` : spelled;
  });
  expect(new Set(spellings).size).toBe(21);
  const answers = [];
  for (const [n, spelling] of spellings.entries()) {
    answers.push(await stack.call('mobile', LOGIN, { input: { email: spelling, password: 'wrong password here', deviceId: 'casey-phone-01' } }, { remoteAddress: `10.88.1.${n + 1}` }));
  }
  // Identity answered the first 20 (checked, or slowed by its own backoff); the BFF refused the 21st itself.
  expect(answers.slice(0, 20).every((a) => a.status === 200 && ['UNAUTHENTICATED', 'RATE_LIMITED'].includes(String(a.errors?.[0].extensions?.code)))).toBe(true);
  expect(answers[20].status).toBe(429);
  expect(answers[20].errors?.[0].message).toMatch(/Too many login attempts/);
  const [{ n }] = await stack.identity.dataSource.query(
    `SELECT count(*)::int AS n FROM identity.audit_events WHERE user_id = $1 AND type IN ('LOGIN_FAILED', 'LOGIN_THROTTLED')`,
    [userId],
  );
  expect(n).toBe(20);
});
