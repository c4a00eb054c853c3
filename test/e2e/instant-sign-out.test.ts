import { createHash, randomUUID } from 'node:crypto';
import { createWebBffServer, loadWebBffConfig } from '@meridian/bff-web';
import {
  createMemoryKeyValueStore,
  createServiceTokenIssuer,
  loadBaseConfig,
  loadServiceSigningKeys,
  SERVICE_TOKEN_HEADER,
  type KeyValueStore,
  type MeridianServer,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import { startStack, WEB_HOST, WEB_ORIGIN, type GqlResult, type Stack } from '../helpers/stack';

// Sign-out takes effect everywhere within a second: after a mobile logout, a
// revokeSession or the web BFF's /auth/logout, the session's access token is
// refused by both BFFs and by subgraphs called directly with a service token
// (banking's graph, KYC's document route; with real Redis, each server reads
// the shared list on its own, as separate processes do), while the same user's
// other sessions keep working.

const ME = `query { me { id } }`;
const ACCOUNT = `query A($id: ID!) { account(id: $id) { id } }`;
const LOGOUT = `mutation O { logout }`;
const REVOKE = `mutation R($id: ID!) { revokeSession(id: $id) }`;
const password = 'a long and unusual passphrase';
const origin = { ip: '203.0.113.50', userAgent: 'jest', requestId: 'instant-sign-out' };

let stack: Stack;
let gateway: ServiceTokenIssuer;
let web: MeridianServer;
let webStore: KeyValueStore;

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
  stack = await startStack();
  // The tests call banking as the gateway would, with its (development) service key.
  gateway = createServiceTokenIssuer({ service: 'gateway', keys: await loadServiceSigningKeys(loadBaseConfig(), 'gateway') });
  // A web BFF whose session store the test can read, to learn the access token a browser session holds.
  webStore = createMemoryKeyValueStore();
  const identity = `http://127.0.0.1:${portOf(stack.identity)}`;
  web = await createWebBffServer(
    loadWebBffConfig({
      ...process.env,
      IDENTITY_URL: `${identity}/graphql`,
      IDENTITY_JWKS_URL: `${identity}/.well-known/jwks.json`,
      BANKING_URL: `http://127.0.0.1:${portOf(stack.banking)}/graphql`,
    }),
    { sessionStore: webStore, revocations: stack.revocations },
  );
});
afterAll(async () => {
  await web?.close();
  await webStore?.close();
  await stack?.close();
});

/** A customer with an account, signed in on two phones (sessions made in identity: no sign-in limits in the way). */
async function customer() {
  const email = `signout.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
  const user = await stack.identity.accounts.register({ email, password, displayName: 'Signed Out' }, origin);
  const account = await stack.banking.accounts.openAccount({ ownerId: user.id, type: 'CURRENT', currency: 'GBP' });
  const phone = await stack.identity.sessions.login(email, password, 'phone-a-0001', origin);
  const tablet = await stack.identity.sessions.login(email, password, 'tablet-b-0002', origin);
  return { email, userId: user.id, accountId: account.id, phone, tablet };
}

/** Banking's /graphql called directly, as the gateway would, with the user's token. */
async function banking(accessToken: string, accountId: string): Promise<GqlResult> {
  const res = await stack.banking.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await gateway('banking'), authorization: `Bearer ${accessToken}` },
    payload: { query: ACCOUNT, variables: { id: accountId } },
  });
  return { status: res.statusCode, headers: res.headers, ...(JSON.parse(res.body) as object) };
}

/** KYC's document route called directly, as a BFF would: a document nobody has is 404 for a live token. */
async function kycDocument(accessToken: string): Promise<number> {
  const res = await stack.kyc.app.inject({
    method: 'GET',
    url: `/documents/${randomUUID()}`,
    headers: { [SERVICE_TOKEN_HEADER]: await gateway('kyc'), authorization: `Bearer ${accessToken}` },
  });
  return res.statusCode;
}

/** What each place answers a token with: the user's id / the account's id, or the error code and reason. */
async function answers(accessToken: string, accountId: string) {
  const outcome = (res: GqlResult, read: () => unknown) =>
    res.errors?.length ? `${res.errors[0].extensions?.code}:${res.errors[0].extensions?.reason ?? ''}` : read();
  const [mobile, webBff, direct, document] = await Promise.all([
    stack.call('mobile', ME, {}, { accessToken }),
    stack.call('web', ME, {}, { accessToken }),
    banking(accessToken, accountId),
    kycDocument(accessToken),
  ]);
  return {
    mobile: outcome(mobile, () => mobile.data?.me.id),
    web: outcome(webBff, () => webBff.data?.me.id),
    banking: outcome(direct, () => direct.data?.account.id),
    kycDocument: document,
  };
}

const ENDED = { mobile: 'UNAUTHENTICATED:SESSION_ENDED', web: 'UNAUTHENTICATED:SESSION_ENDED', banking: 'UNAUTHENTICATED:SESSION_ENDED', kycDocument: 401 };

/** Polls for at most a second after the sign-out answered, then asserts the token is refused everywhere. */
async function expectRefusedWithinASecond(accessToken: string, accountId: string, since: number): Promise<void> {
  let latest = await answers(accessToken, accountId);
  while (JSON.stringify(latest) !== JSON.stringify(ENDED) && Date.now() - since < 1_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    latest = await answers(accessToken, accountId);
  }
  expect(latest).toEqual(ENDED);
  expect(Date.now() - since).toBeLessThanOrEqual(1_200);
}

describe('sign-out takes effect everywhere within a second', () => {
  it('after logout with a bearer token on the mobile BFF', async () => {
    const { userId, accountId, phone, tablet } = await customer();
    expect(await answers(phone.accessToken, accountId)).toEqual({ mobile: userId, web: userId, banking: accountId, kycDocument: 404 });

    const out = await stack.call('mobile', LOGOUT, {}, { accessToken: phone.accessToken });
    expect(out.data?.logout).toBe(true);
    await expectRefusedWithinASecond(phone.accessToken, accountId, Date.now());
    // The BFF refuses the token outright, before planning, whatever the operation.
    const refused = await stack.call('mobile', ME, {}, { accessToken: phone.accessToken });
    expect(refused.status).toBe(401);
    // The same user's other session is untouched.
    expect(await answers(tablet.accessToken, accountId)).toEqual({ mobile: userId, web: userId, banking: accountId, kycDocument: 404 });
  });

  it('after revokeSession from another device', async () => {
    const { userId, accountId, phone, tablet } = await customer();
    const revoked = await stack.call('mobile', REVOKE, { id: tablet.sessionId }, { accessToken: phone.accessToken });
    expect(revoked.data?.revokeSession).toBe(true);
    await expectRefusedWithinASecond(tablet.accessToken, accountId, Date.now());
    expect(await answers(phone.accessToken, accountId)).toEqual({ mobile: userId, web: userId, banking: accountId, kycDocument: 404 });
  });

  it('after the web BFF’s /auth/logout, and a browser session ended from the phone ends at its next request', async () => {
    const { email, userId, accountId, phone } = await customer();
    const signIn = async () => {
      const res = await web.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json' },
        payload: { email, password },
        remoteAddress: `10.44.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
      });
      expect(res.statusCode).toBe(200);
      const cookie = res.cookies.find((c) => c.name.endsWith('meridian-session'))!;
      const record = JSON.parse((await webStore.get(`web-session:${createHash('sha256').update(cookie.value).digest('hex')}`))!);
      return { cookie: `${cookie.name}=${cookie.value}`, accessToken: record.accessToken as string, sessionId: record.id as string };
    };
    const me = (cookie: string) =>
      web.app.inject({ method: 'POST', url: '/graphql', headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json', cookie }, payload: { query: ME } });

    const browser = await signIn();
    expect((await me(browser.cookie)).json().data.me.id).toBe(userId);
    const out = await web.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json', cookie: browser.cookie },
      payload: {},
    });
    expect(out.json()).toEqual({ loggedOut: true });
    await expectRefusedWithinASecond(browser.accessToken, accountId, Date.now());
    expect(await answers(phone.accessToken, accountId)).toEqual({ mobile: userId, web: userId, banking: accountId, kycDocument: 404 });

    // Signed out of the browser from the phone: the browser's cookie stops working within a second too.
    const other = await signIn();
    expect((await stack.call('mobile', REVOKE, { id: other.sessionId }, { accessToken: phone.accessToken })).data?.revokeSession).toBe(true);
    const since = Date.now();
    const sessionStatus = async () => (await web.app.inject({ method: 'GET', url: '/auth/session', headers: { host: WEB_HOST, cookie: other.cookie } })).statusCode;
    let status = await sessionStatus();
    while (status !== 401 && Date.now() - since < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await sessionStatus();
    }
    expect(status).toBe(401);
    expect((await me(other.cookie)).json().errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
