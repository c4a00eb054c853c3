import { closedLocalPort, startTcpProxy, type TcpProxy } from '../../platform/test/helpers/network';
import { startStack, type Stack } from '../helpers/stack';

// Redis lost while the BFFs run (a proxy in front of the machine's Redis is cut) and a
// REDIS_URL that never answers: credential and money operations fail closed with
// SERVICE_UNAVAILABLE, ordinary reads carry on under a per-process limiter, nothing hangs.
const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;

const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken } }`;
const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { email } }`;
const READ = `{ __typename }`;
const user = { email: 'outage@example.com', password: 'a long and unusual passphrase', displayName: 'Outage' };

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

describeRedis(REDIS_URL ? 'when Redis goes away' : 'when Redis goes away (skipped: REDIS_URL not set)', () => {
  let proxy: TcpProxy;
  let stack: Stack;

  beforeAll(async () => {
    const target = new URL(REDIS_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    stack = await startStack({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_COMMAND_TIMEOUT_MS: '300' });
    // Let the BFFs' limiters connect through the proxy.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });
  afterAll(async () => {
    await stack.close();
    await proxy.cut().catch(() => {});
  });

  it('works normally while Redis answers', async () => {
    expect((await stack.call('mobile', REGISTER, { input: user })).errors).toBeUndefined();
    const login = await stack.call('mobile', LOGIN, { input: { email: user.email, password: user.password, deviceId: 'outage-test-phone' } });
    expect(login.errors).toBeUndefined();
    expect(login.data?.login.accessToken).toBeTruthy();
  });

  it('fails login closed while the network stalls, and recovers when it heals', async () => {
    proxy.stall();
    const stalled = await timed(() => stack.call('mobile', LOGIN, { input: { email: user.email, password: user.password, deviceId: 'outage-test-phone' } }));
    expect(stalled.value.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(stalled.ms).toBeLessThan(3_000);
    expect((await stack.call('mobile', READ)).status).toBe(200);
    proxy.heal();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const healed = await stack.call('mobile', LOGIN, { input: { email: user.email, password: user.password, deviceId: 'outage-test-phone' } });
    expect(healed.errors).toBeUndefined();
  });

  it('fails login closed and serves reads once the link is cut, within the command timeout', async () => {
    await proxy.cut();
    const login = await timed(() => stack.call('mobile', LOGIN, { input: { email: user.email, password: user.password, deviceId: 'outage-test-phone' } }));
    expect(login.value.status).toBe(503);
    expect(login.value.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(login.ms).toBeLessThan(3_000);
    const read = await timed(() => stack.call('mobile', READ));
    expect(read.value.status).toBe(200);
    expect(read.value.data).toEqual({ __typename: 'Query' });
    expect(read.ms).toBeLessThan(3_000);
    // However the operation spells it, a login is a login: aliased inside fragments, it fails closed too.
    for (const hidden of [
      'mutation L($input: LoginInput!) { ... on Mutation { l: login(input: $input) { accessToken } } }',
      'mutation L($input: LoginInput!) { ...F } fragment F on Mutation { l: login(input: $input) { accessToken } }',
    ]) {
      const res = await stack.call('mobile', hidden, { input: { email: user.email, password: user.password, deviceId: 'outage-test-phone' } });
      expect(res.status).toBe(503);
      expect(res.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.data ?? null).toBeNull();
    }
  });
});

describeRedis(REDIS_URL ? 'with an unreachable REDIS_URL' : 'with an unreachable REDIS_URL (skipped: REDIS_URL not set)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ REDIS_URL: `redis://127.0.0.1:${await closedLocalPort()}`, REDIS_COMMAND_TIMEOUT_MS: '300' });
  });
  afterAll(() => stack.close());

  it('starts, refuses credential operations quickly and serves reads', async () => {
    const login = await timed(() => stack.call('mobile', LOGIN, { input: { email: user.email, password: user.password, deviceId: 'outage-test-phone' } }));
    expect(login.value.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(login.ms).toBeLessThan(3_000);
    expect((await stack.call('mobile', READ)).status).toBe(200);
  });
});
