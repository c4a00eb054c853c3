import { createServiceTokenIssuer, loadBaseConfig, loadServiceSigningKeys, SERVICE_TOKEN_HEADER, type MeridianServer, type ServiceTokenIssuer } from '@meridian/platform';
import { startTcpProxy, type TcpProxy } from '../../platform/test/helpers/network';
import { startStack, type GqlResult, type Stack } from '../helpers/stack';

// Money fails closed while the list of ended sessions cannot be read: with
// Redis stalled (a proxy in front of the machine's Redis stops forwarding), no
// server can tell a signed-out token from a live one, so banking's and
// payments' mutations answer SERVICE_UNAVAILABLE while reads go on, a sign-out
// fails rather than pretend, and everything works again once Redis answers.
const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;

const ME = `query { me { id } }`;
const ACCOUNT = `query A($id: ID!) { account(id: $id) { id } }`;
const OPEN = `mutation O { openAccount(input: { type: SAVINGS, currency: GBP }) { id } }`;
const CREATE_BILLER = `mutation B($input: CreateBillerInput!) { createBiller(input: $input) { id } }`;
const LOGOUT = `mutation L($t: String) { logout(refreshToken: $t) }`;
const password = 'a long and unusual passphrase';
const origin = { ip: '203.0.113.60', userAgent: 'jest', requestId: 'revocation-outage' };
const biller = { input: { name: 'Water', billerCode: 'WATER01', reference: 'ACC-1234' } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeRedis(REDIS_URL ? 'when the session revocation list cannot be read' : 'when the session revocation list cannot be read (skipped: REDIS_URL not set)', () => {
  let proxy: TcpProxy;
  let stack: Stack;
  let gateway: ServiceTokenIssuer;
  let user: { email: string; accountId: string; accessToken: string; refreshToken: string; userId: string };

  /** A subgraph's /graphql called directly, as the gateway would, with the user's token. */
  async function direct(server: MeridianServer, audience: string, query: string, variables: Record<string, unknown> = {}, accessToken = user.accessToken): Promise<GqlResult> {
    const res = await server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await gateway(audience), authorization: `Bearer ${accessToken}` },
      payload: { query, variables },
    });
    return { status: res.statusCode, headers: res.headers, ...(JSON.parse(res.body) as object) };
  }
  const codeOf = (res: GqlResult) => res.errors?.[0]?.extensions?.code;

  beforeAll(async () => {
    const target = new URL(REDIS_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    stack = await startStack({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_COMMAND_TIMEOUT_MS: '300' });
    gateway = createServiceTokenIssuer({ service: 'gateway', keys: await loadServiceSigningKeys(loadBaseConfig(), 'gateway') });
    const email = `outage.${Date.now()}@example.com`;
    const registered = await stack.identity.accounts.register({ email, password, displayName: 'Outage' }, origin);
    const account = await stack.banking.accounts.openAccount({ ownerId: registered.id, type: 'CURRENT', currency: 'GBP' });
    const session = await stack.identity.sessions.login(email, password, 'outage-phone-01', origin);
    user = { email, accountId: account.id, accessToken: session.accessToken, refreshToken: session.refreshToken, userId: registered.id };
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.cut().catch(() => {});
  });

  it('moves money while the list is read', async () => {
    expect(codeOf(await direct(stack.banking, 'banking', OPEN))).toBeUndefined();
    expect(codeOf(await stack.call('mobile', CREATE_BILLER, biller, { accessToken: user.accessToken }))).toBeUndefined();
  });

  it('refuses banking and payments mutations with SERVICE_UNAVAILABLE once the list is stale, serves reads, and refuses to sign out', async () => {
    proxy.stall();
    // Stale once no read has succeeded for a few seconds (3 s, plus a read that times out).
    await sleep(4_000);

    const open = await direct(stack.banking, 'banking', OPEN);
    expect(codeOf(open)).toBe('SERVICE_UNAVAILABLE');
    expect(open.status).toBe(503);
    expect(open.data ?? null).toBeNull();
    // Through the mobile BFF, which does not fail this one closed itself: payments refuses it.
    const created = await stack.call('mobile', CREATE_BILLER, biller, { accessToken: user.accessToken });
    expect(codeOf(created)).toBe('SERVICE_UNAVAILABLE');

    // Reads go on, directly and through the BFF.
    const read = await direct(stack.banking, 'banking', ACCOUNT, { id: user.accountId });
    expect(read.data?.account.id).toBe(user.accountId);
    expect((await stack.call('mobile', ME, {}, { accessToken: user.accessToken })).data?.me.id).toBe(user.userId);

    // A sign-out that cannot reach the list fails, and the session is still live.
    const out = await direct(stack.identity, 'identity', LOGOUT, { t: user.refreshToken });
    expect(codeOf(out)).toBe('SERVICE_UNAVAILABLE');
    const [row] = await stack.identity.dataSource.query(`SELECT count(*)::int AS n FROM identity.sessions WHERE user_id = $1 AND revoked_at IS NULL`, [user.userId]);
    expect(row.n).toBe(1);
  });

  it('moves money again once Redis answers, and signs out', async () => {
    proxy.heal();
    // The refused sign-out's write may still land once the network heals (a timed-out command is not a cancelled
    // one): then that session is on the list although it is live, refused like a signed-out one. A new session is not.
    const fresh = await stack.identity.sessions.login(user.email, password, 'outage-phone-02', origin);
    const since = Date.now();
    let open = await direct(stack.banking, 'banking', OPEN, {}, fresh.accessToken);
    while (codeOf(open) === 'SERVICE_UNAVAILABLE' && Date.now() - since < 5_000) {
      await sleep(200);
      open = await direct(stack.banking, 'banking', OPEN, {}, fresh.accessToken);
    }
    expect(codeOf(open)).toBeUndefined();
    expect(codeOf(await stack.call('mobile', CREATE_BILLER, biller, { accessToken: fresh.accessToken }))).toBeUndefined();
    expect((await direct(stack.identity, 'identity', LOGOUT, { t: user.refreshToken })).data?.logout).toBe(true);
  });
});
