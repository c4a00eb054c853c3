import { createHash } from 'node:crypto';
import { createWebBffServer, loadWebBffConfig } from '@meridian/bff-web';
import { createMemoryKeyValueStore, type KeyValueStore, type MeridianServer } from '@meridian/platform';
import { createMeridianClient, MeridianError } from '@meridian/client';
import { AccountsDocument, RevokeSessionDocument, SessionsDocument } from '@meridian/client/web';
import { startStack, WEB_HOST, WEB_ORIGIN, type Stack } from '../helpers/stack';

// The web BFF's cookie sessions against the real identity and banking subgraphs:
// cookie flags, rotation, CSRF, refresh, sign-out and a failing session store.

const PARTNER = 'https://dashboard.partner.example';
const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { email } }`;
const ME = `query { me { id email } }`;
const OPEN = `mutation O($input: OpenAccountInput!) { openAccount(input: $input) { id } }`;
const ACCOUNTS = `query { me { accounts { id } } }`;

let stack: Stack;
let web: MeridianServer;
let kv: KeyValueStore;
let broken = false;
const password = 'a long and unusual passphrase';

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
  stack = await startStack();
  const memory = createMemoryKeyValueStore();
  // A store that can be made to fail, as Redis does when it is lost.
  kv = new Proxy(memory, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => (broken ? Promise.reject(new Error('connection lost')) : value.apply(target, args));
    },
  });
  const identity = `http://127.0.0.1:${portOf(stack.identity)}`;
  web = await createWebBffServer(
    loadWebBffConfig({
      ...process.env,
      IDENTITY_URL: `${identity}/graphql`,
      IDENTITY_JWKS_URL: `${identity}/.well-known/jwks.json`,
      BANKING_URL: `http://127.0.0.1:${portOf(stack.banking)}/graphql`,
      KYC_URL: `http://127.0.0.1:${portOf(stack.kyc)}/graphql`,
      CORS_ALLOWED_ORIGINS: PARTNER,
    }),
    { sessionStore: kv },
  );
});
afterAll(async () => {
  await web?.close();
  await kv?.close();
  await stack?.close();
});

// Sign-up and sign-in are limited per address: each test user comes from an address of its own.
let nextAddress = 10;
const address = () => `10.9.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

async function newUser(): Promise<{ email: string; id: string }> {
  const email = `web.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
  const res = await stack.mobile.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json' },
    payload: { query: REGISTER, variables: { input: { email, password, displayName: 'Web user' } } },
    remoteAddress: address(),
  });
  expect(res.json().errors).toBeUndefined();
  return { email, id: await stack.userIdOf(email) };
}

function login(email: string, headers: Record<string, string> = {}) {
  return web.app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json', ...headers },
    payload: { email, password },
    remoteAddress: address(),
  });
}

async function signIn(email: string): Promise<string> {
  const res = await login(email);
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === '__Host-meridian-session')!;
  return `${cookie.name}=${cookie.value}`;
}

function gql(query: string, cookie: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  return web.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json', cookie, ...headers },
    payload: { query, variables },
  });
}

const recordKey = (cookie: string) => `web-session:${createHash('sha256').update(cookie.split('=')[1]).digest('hex')}`;

describe('web sessions', () => {
  it('signs in with a __Host- cookie that is HttpOnly, Secure and SameSite=Lax, and no token reaches the browser', async () => {
    const user = await newUser();
    const res = await login(user.email);
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-meridian-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const body = res.json();
    expect(body.user).toMatchObject({ id: user.id, email: user.email });
    expect(body.session).toMatchObject({ idleTimeoutSeconds: 1800 });
    expect(Date.parse(body.session.expiresAt) - Date.parse(body.session.createdAt)).toBe(12 * 3_600_000);
    expect(res.body).not.toMatch(/eyJ|accessToken|refreshToken/);

    const cookie = `__Host-meridian-session=${res.cookies[0].value}`;
    const me = await gql(ME, cookie);
    expect(me.json().data.me).toEqual({ id: user.id, email: user.email });
    const session = await web.app.inject({ method: 'GET', url: '/auth/session', headers: { host: WEB_HOST, cookie } });
    expect(session.json()).toMatchObject({ user: { id: user.id }, session: { id: body.session.id } });
  });

  it('refuses a wrong password with 401 UNAUTHENTICATED and sets no cookie', async () => {
    const user = await newUser();
    const res = await web.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json' },
      payload: { email: user.email, password: 'not the password at all' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.headers['set-cookie']).toBeUndefined();
    const bad = await web.app.inject({ method: 'POST', url: '/auth/login', headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json' }, payload: { email: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('limits sign-in attempts per address like GraphQL login: the sixth in a minute is 429 RATE_LIMITED with Retry-After', async () => {
    const user = await newUser();
    const from = address();
    const attempt = () =>
      web.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json' },
        payload: { email: user.email, password: 'guessing the password again' },
        remoteAddress: from,
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(401);
    const refused = await attempt();
    expect(refused.statusCode).toBe(429);
    expect(refused.json().errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['set-cookie']).toBeUndefined();
    // The right password from that address waits too: the limit is not a password oracle.
    const right = await web.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json' },
      payload: { email: user.email, password },
      remoteAddress: from,
    });
    expect(right.statusCode).toBe(429);
  });

  it("answers identity's own sign-in backoff on /auth/login with 429 and Retry-After, even for the right password, and sets no cookie", async () => {
    const user = await newUser();
    const attempt = (pw: string) =>
      web.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json' },
        payload: { email: user.email, password: pw },
        remoteAddress: address(),
      });
    for (let i = 0; i < 5; i++) expect((await attempt('not the password at all')).statusCode).toBe(401);
    const slowed = await attempt(password);
    expect(slowed.statusCode).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(0);
    expect(slowed.json().errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'SIGN_IN_BACKOFF' });
    expect(slowed.cookies).toEqual([]);
  });

  it('rotates the session on sign-in: the cookie a browser had before stops working', async () => {
    const user = await newUser();
    const before = await signIn(user.email);
    const again = await login(user.email, { cookie: before });
    const after = `__Host-meridian-session=${again.cookies[0].value}`;
    expect(after).not.toBe(before);
    expect((await gql(ME, before)).json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await gql(ME, after)).json().data.me.id).toBe(user.id);
  });

  it('refuses state changes from other sites (CSRF) before anything runs', async () => {
    const user = await newUser();
    const cookie = await signIn(user.email);
    const open = { input: { type: 'CURRENT', currency: 'EUR' } };

    const evil = await gql(OPEN, cookie, { origin: 'https://evil.example' }, open);
    expect(evil.statusCode).toBe(403);
    expect(evil.json().errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CSRF' });
    const noOrigin = await web.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { host: WEB_HOST, 'content-type': 'application/json', cookie },
      payload: { query: OPEN, variables: open },
    });
    expect(noOrigin.statusCode).toBe(403);
    const refererOnly = await gql(OPEN, cookie, { origin: '', referer: 'https://evil.example/page' }, open);
    expect(refererOnly.statusCode).toBe(403);
    // A cross-site form can only send simple content types: refused even from the right origin.
    const form = await web.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'text/plain', cookie },
      payload: JSON.stringify({ query: OPEN, variables: open }),
    });
    expect(form.statusCode).toBe(400);
    const formLogin = await web.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(user.email)}&password=${encodeURIComponent(password)}`,
    });
    expect([403, 415]).toContain(formLogin.statusCode);
    const crossSiteLogin = await login(user.email, { origin: 'https://evil.example' });
    expect(crossSiteLogin.statusCode).toBe(403);
    const crossSiteLogout = await web.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { host: WEB_HOST, origin: 'https://evil.example', 'content-type': 'application/json', cookie },
      payload: {},
    });
    expect(crossSiteLogout.statusCode).toBe(403);

    expect((await gql(ACCOUNTS, cookie)).json().data.me.accounts).toEqual([]);
    // The same mutation from the dashboard's own origin, and from the allowed partner origin, runs.
    expect((await gql(OPEN, cookie, {}, open)).json().errors).toBeUndefined();
    expect((await gql(OPEN, cookie, { origin: PARTNER }, open)).json().errors).toBeUndefined();
    expect((await gql(ACCOUNTS, cookie)).json().data.me.accounts).toHaveLength(2);
  });

  it('applies the session and the CSRF check to the route, however its URL is spelled', async () => {
    const user = await newUser();
    const cookie = await signIn(user.email);
    const open = { input: { type: 'CURRENT', currency: 'EUR' } };
    for (const url of ['/%67raphql', '/graphq%6C', '/graphql?x=1']) {
      const evil = await web.app.inject({
        method: 'POST',
        url,
        headers: { host: WEB_HOST, origin: 'https://evil.example', 'content-type': 'application/json', cookie },
        payload: { query: OPEN, variables: open },
      });
      expect({ url, status: evil.statusCode, reason: evil.json().errors?.[0].extensions.reason }).toEqual({ url, status: 403, reason: 'CSRF' });
      const own = await web.app.inject({
        method: 'POST',
        url,
        headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json', cookie },
        payload: { query: ME },
      });
      expect({ url, me: own.json().data?.me?.id }).toEqual({ url, me: user.id });
    }
    const crossSiteLogin = await web.app.inject({
      method: 'POST',
      url: '/%61uth/login',
      headers: { host: WEB_HOST, origin: 'https://evil.example', 'content-type': 'application/json' },
      payload: { email: user.email, password },
      remoteAddress: address(),
    });
    expect(crossSiteLogin.statusCode).toBe(403);
    expect(crossSiteLogin.cookies).toEqual([]);
    expect((await gql(ACCOUNTS, cookie)).json().data.me.accounts).toEqual([]);
  });

  it('takes uploads from the signed-in browser, and refuses one sent from another site with the cookie (CSRF)', async () => {
    const user = await newUser();
    const cookie = await signIn(user.email);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const boundary = '----meridian-web-upload';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="proof.png"\r\nContent-Type: image/png\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const post = (origin: string, withCookie = true) =>
      web.app.inject({
        method: 'POST',
        url: '/uploads',
        headers: { host: WEB_HOST, origin, 'content-type': `multipart/form-data; boundary=${boundary}`, ...(withCookie ? { cookie } : {}) },
        payload,
      });
    const evil = await post('https://evil.example');
    expect(evil.statusCode).toBe(403);
    expect(evil.json().errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'CSRF' });
    expect((await post(WEB_ORIGIN, false)).statusCode).toBe(401);
    const own = await post(WEB_ORIGIN);
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ uploadId: expect.any(String), contentType: 'image/png', size: png.length });
  });

  it('refreshes an expiring access token once, even for concurrent requests, and keeps the session', async () => {
    const user = await newUser();
    const cookie = await signIn(user.email);
    const raw = JSON.parse((await kv.get(recordKey(cookie)))!);
    await kv.set(recordKey(cookie), JSON.stringify({ ...raw, accessExpiresAt: Date.now() + 5_000 }), 60_000);

    const results = await Promise.all(Array.from({ length: 10 }, () => gql(ME, cookie)));
    for (const res of results) expect(res.json().data.me.id).toBe(user.id);
    const after = JSON.parse((await kv.get(recordKey(cookie)))!);
    expect(after.accessToken).not.toBe(raw.accessToken);
    expect(after.refreshToken).not.toBe(raw.refreshToken);
    const audit: { type: string }[] = await stack.identity.dataSource.query(`SELECT type FROM identity.audit_events WHERE user_id = $1 ORDER BY id`, [user.id]);
    expect(audit.map((a) => a.type)).toEqual(['REGISTERED', 'EMAIL_VERIFICATION_SENT', 'LOGIN_SUCCEEDED', 'SESSION_REFRESHED']);
  });

  it('signs out server-side: the cookie is cleared, replaying it gets nothing, and identity ended the session', async () => {
    const user = await newUser();
    const cookie = await signIn(user.email);
    const out = await web.app.inject({ method: 'POST', url: '/auth/logout', headers: { host: WEB_HOST, origin: WEB_ORIGIN, 'content-type': 'application/json', cookie }, payload: {} });
    expect(out.json()).toEqual({ loggedOut: true });
    expect(String(out.headers['set-cookie'])).toMatch(/^__Host-meridian-session=; .*Expires=Thu, 01 Jan 1970/);
    expect(await kv.get(recordKey(cookie))).toBeNull();
    expect((await gql(ME, cookie)).json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const [{ live }] = await stack.identity.dataSource.query(
      `SELECT count(*)::int AS live FROM identity.refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`,
      [user.id],
    );
    expect(live).toBe(0);
  });

  it('answers SERVICE_UNAVAILABLE when the session store is lost, rather than running the request anonymously', async () => {
    const user = await newUser();
    const cookie = await signIn(user.email);
    broken = true;
    try {
      const res = await gql(ME, cookie);
      expect(res.statusCode).toBe(503);
      expect(res.json().errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      broken = false;
    }
    expect((await gql(ME, cookie)).json().data.me.id).toBe(user.id);
  });

  it('lists where the user is signed in and signs another browser out at once (remote sign-out)', async () => {
    const user = await newUser();
    const laptop = await signIn(user.email);
    const library = await signIn(user.email);
    const SESSIONS = `query { me { sessions { id current userAgent } } }`;
    const listed = (await gql(SESSIONS, laptop)).json().data.me.sessions as { id: string; current: boolean }[];
    expect(listed).toHaveLength(2);
    const mine = listed.find((x) => x.current)!;
    const other = listed.find((x) => !x.current)!;
    expect((await web.app.inject({ method: 'GET', url: '/auth/session', headers: { host: WEB_HOST, cookie: laptop } })).json().session.id).toBe(mine.id);

    const revoked = await gql(`mutation R($id: ID!) { revokeSession(id: $id) }`, laptop, {}, { id: other.id });
    expect(revoked.json().data.revokeSession).toBe(true);
    // The other browser's very next request is signed out, without waiting for its access token to expire.
    const after = await gql(ME, library);
    expect(after.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(String(after.headers['set-cookie'])).toMatch(/^__Host-meridian-session=;/);
    expect((await gql(ME, laptop)).json().data.me.id).toBe(user.id);
    expect(((await gql(SESSIONS, laptop)).json().data.me.sessions as unknown[]).length).toBe(1);
  });

  it('runs the dashboard by document id only when trusted documents are required, through @meridian/client', async () => {
    const config = loadWebBffConfig({
      ...process.env,
      IDENTITY_URL: `http://127.0.0.1:${portOf(stack.identity)}/graphql`,
      IDENTITY_JWKS_URL: `http://127.0.0.1:${portOf(stack.identity)}/.well-known/jwks.json`,
      BANKING_URL: `http://127.0.0.1:${portOf(stack.banking)}/graphql`,
      KYC_URL: `http://127.0.0.1:${portOf(stack.kyc)}/graphql`,
      WEB_TRUSTED_DOCUMENTS: 'required',
    });
    const strict = await createWebBffServer(config, { sessionStore: kv });
    try {
      await strict.app.listen({ port: 0, host: '127.0.0.1' });
      const origin = `http://127.0.0.1:${portOf(strict)}`;
      const user = await newUser();
      const laptop = await signIn(user.email);
      const other = await signIn(user.email);
      // What a browser sends: the session cookie and its own origin; the client adds neither a token nor query text.
      const browserFetch: typeof fetch = (input, init) =>
        fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie: laptop, origin } });
      const api = createMeridianClient({ url: `${origin}/graphql`, client: 'web', fetch: browserFetch });

      expect((await api.request(AccountsDocument)).me?.accounts).toEqual([]);
      const sessions = (await api.request(SessionsDocument)).me?.sessions ?? [];
      expect(sessions).toHaveLength(2);
      const elsewhere = sessions.find((x) => !x.current)!;
      expect((await api.request(RevokeSessionDocument, { id: elsewhere.id })).revokeSession).toBe(true);
      expect((await gql(ME, other)).json().errors[0].extensions.code).toBe('UNAUTHENTICATED');

      const freeText = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: laptop, origin },
        body: JSON.stringify({ query: ME }),
      });
      expect(freeText.status).toBe(400);
      expect(((await freeText.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
      const mobileOnly = await api.request({ __meta__: { hash: 'f'.repeat(64) }, toString: () => 'query X { me { id } }' } as never).catch((e: unknown) => e);
      expect(mobileOnly).toBeInstanceOf(MeridianError);
      expect((mobileOnly as MeridianError).code).toBe('PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await strict.close();
    }
  });
});
