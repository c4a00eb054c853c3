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
