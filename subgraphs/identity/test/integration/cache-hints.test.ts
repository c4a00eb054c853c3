import { SERVICE_TOKEN_HEADER, type Role } from '@meridian/platform';
import { startIdentity, type IdentityHarness } from '../helpers/identity-harness';

// Identity's answers carry the cache policy of its `@cacheControl` hints, which the
// gateway combines across subgraphs: the signed-in user for 60 s, only for them;
// sessions, staff reads and mutations never.

const PASSWORD = 'correct horse battery staple';
const ORIGIN = { ip: '127.0.0.1', userAgent: 'jest', requestId: 'cache-hints' };

let h: IdentityHarness;
let n = 0;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

/** A registered user with these roles, signed in (with the emailed second factor staff need). */
async function person(roles: Role[] = ['CUSTOMER']) {
  n += 1;
  const email = `cache${n}.${Date.now()}@example.com`;
  const user = await h.server.accounts.register({ email, password: PASSWORD, displayName: `Person ${n}`, phone: null }, ORIGIN, roles);
  return { id: user.id, token: (await h.signIn(email, PASSWORD)).accessToken };
}

/** Calls identity as the gateway does and answers the body with the response's Cache-Control. */
async function answer(query: string, variables: Record<string, unknown>, token: string) {
  const res = await h.server.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: await h.serviceToken('identity'), authorization: `Bearer ${token}` },
    payload: { query, variables },
  });
  const body = JSON.parse(res.body) as { data?: Record<string, any>; errors?: unknown[] };
  return { cacheControl: res.headers['cache-control'], data: body.data, errors: body.errors };
}

describe('cache hints in identity', () => {
  it('lets the signed-in user’s own profile be cached for 60 s, privately, also as an entity', async () => {
    const alice = await person();
    const me = await answer(`{ me { id email emailVerified displayName roles status createdAt } }`, {}, alice.token);
    expect(me.errors).toBeUndefined();
    expect(me.cacheControl).toBe('max-age=60, private');

    const entity = await answer(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }`, { r: [{ __typename: 'User', id: alice.id }] }, alice.token);
    expect(entity.errors).toBeUndefined();
    expect(entity.cacheControl).toBe('max-age=60, private');
  });

  it('never lets sessions, second factors or API keys be cached', async () => {
    const alice = await person();
    for (const query of [`{ me { id sessions { id } } }`, `{ me { id mfa { totpEnabled } } }`, `{ apiKeys { id } }`]) {
      const res = await answer(query, {}, alice.token);
      expect({ query, errors: res.errors, cacheControl: res.cacheControl }).toEqual({ query, errors: undefined, cacheControl: 'no-store' });
    }
  });

  it('never lets a staff read be cached, the audited lookup nor staff’s own profile', async () => {
    const alice = await person();
    const support = await person(['SUPPORT']);
    const admin = await person(['ADMIN']);
    const reads: [string, Record<string, unknown>, string][] = [
      [`query($id: ID!) { customer(id: $id, reason: "ticket 42") { id email } }`, { id: alice.id }, support.token],
      [`{ staffMembers { id } }`, {}, admin.token],
      [`{ me { id displayName } }`, {}, support.token],
    ];
    for (const [query, variables, token] of reads) {
      const res = await answer(query, variables, token);
      expect({ query, errors: res.errors, cacheControl: res.cacheControl }).toEqual({ query, errors: undefined, cacheControl: 'no-store' });
    }
  });

  it('never lets a mutation’s answer be cached', async () => {
    const alice = await person();
    const res = await answer(`mutation { resendEmailVerification }`, {}, alice.token);
    expect(res.errors).toBeUndefined();
    expect(res.cacheControl).toBe('no-store');
  });
});
