import { startStack, type Stack } from '../helpers/stack';

// Every per-field guard of the BFFs (field rate limits, the web token-field guard, the mobile
// device-id check, remote sign-out) sees a root field however the operation spells it:
// aliased, inside inline or named fragments, nested, or switched on by @include.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const password = 'a long and unusual passphrase';
let next = 1;
const address = () => `10.77.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;

/** The same two logins, spelled the ways a client (or an attacker) can spell them. */
const SHAPES: [string, string][] = [
  ['aliases', 'mutation($i: LoginInput!) { a: login(input: $i) { accessToken } b: login(input: $i) { accessToken } }'],
  ['an inline fragment', 'mutation($i: LoginInput!) { ... on Mutation { a: login(input: $i) { accessToken } b: login(input: $i) { accessToken } } }'],
  ['an inline fragment without a type', 'mutation($i: LoginInput!) { ... { a: login(input: $i) { accessToken } b: login(input: $i) { accessToken } } }'],
  ['a named fragment', 'mutation($i: LoginInput!) { ...F } fragment F on Mutation { a: login(input: $i) { accessToken } b: login(input: $i) { accessToken } }'],
  [
    'nested fragments',
    'mutation($i: LoginInput!) { ... on Mutation { ...F } } fragment F on Mutation { ... { a: login(input: $i) { accessToken } } ...G } fragment G on Mutation { b: login(input: $i) { accessToken } }',
  ],
  ['@include from a variable', 'mutation($i: LoginInput!, $on: Boolean!) { a: login(input: $i) @include(if: $on) { accessToken } ... @include(if: $on) { b: login(input: $i) { accessToken } } }'],
];

async function register(): Promise<string> {
  const email = `guards.${Date.now()}.${next}@example.com`;
  const res = await stack.call('mobile', 'mutation R($input: RegisterInput!) { register(input: $input) { email } }', { input: { email, password, displayName: 'Guards' } }, { remoteAddress: address() });
  expect(res.errors).toBeUndefined();
  return email;
}

describe('field guards see root fields however they are spelled', () => {
  it.each(SHAPES)('the login limit (5 a minute per caller) counts both logins of %s', async (_shape, query) => {
    const from = address();
    const variables = { i: { email: `nobody.${next}@example.com`, password: 'wrong password here', deviceId: 'guard-test-phone' }, on: true };
    const first = await stack.call('mobile', query, variables, { remoteAddress: from });
    const second = await stack.call('mobile', query, variables, { remoteAddress: from });
    expect([first.errors?.[0].extensions?.code, second.errors?.[0].extensions?.code]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    // Logins five and six: over the limit, refused before identity sees either.
    const third = await stack.call('mobile', query, variables, { remoteAddress: from });
    expect(third.status).toBe(429);
    expect(third.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(third.data ?? null).toBeNull();
  });

  it.each(SHAPES)('the mobile BFF wants a device id on every login of %s', async (_shape, query) => {
    const email = await register();
    const res = await stack.call('mobile', query, { i: { email, password }, on: true }, { remoteAddress: address() });
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'deviceId' });
    expect(res.data ?? null).toBeNull();
  });

  it.each(SHAPES)('the web BFF keeps tokens from the browser for logins in %s', async (_shape, query) => {
    const email = await register();
    const res = await stack.call('web', query, { i: { email, password }, on: true }, { remoteAddress: address() });
    expect(res.status).toBe(403);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WEB_SESSION_ONLY' });
    expect(JSON.stringify(res)).not.toMatch(/accessToken|eyJ/);
  });

  it('the web BFF refuses refreshSession and logout hidden in a fragment too', async () => {
    for (const query of [
      'mutation { ...F } fragment F on Mutation { r: refreshSession(refreshToken: "mrt_x") { accessToken } }',
      'mutation { ... on Mutation { out: logout } }',
    ]) {
      const res = await stack.call('web', query, {}, { remoteAddress: address() });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WEB_SESSION_ONLY' });
    }
  });

  it('ends a browser session at once when another browser revokes it through an aliased field in a fragment', async () => {
    const email = await register();
    const victim = await stack.webLogin(email, password);
    const other = await stack.webLogin(email, password);
    const sessions = await stack.call('web', '{ me { sessions { id current } } }', {}, { cookie: victim });
    const victimSession = sessions.data!.me.sessions.find((s: { current: boolean }) => s.current).id as string;
    const revoke = await stack.call('web', 'mutation($id: ID!) { ...R } fragment R on Mutation { gone: revokeSession(id: $id) }', { id: victimSession }, { cookie: other });
    expect(revoke.data).toEqual({ gone: true });
    const after = await stack.call('web', '{ me { id } }', {}, { cookie: victim });
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
