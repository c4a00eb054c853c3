import { createServiceTokenIssuer, createKeySet, generatePrivateJwk } from '@meridian/platform';
import { ME, startIdentity, type IdentityHarness } from '../helpers/identity-harness';

let h: IdentityHarness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

const ENTITIES = `query { _entities(representations: [{ __typename: "User", id: "00000000-0000-7000-8000-000000000000" }]) { ... on User { id email } } }`;
const SERVICE = `query { _service { sdl } }`;
const REGISTER_RAW = `mutation { register(input: { email: "direct@example.com", password: "correct horse battery staple", displayName: "Direct" }) { email } }`;

describe('identity called directly', () => {
  it.each([
    ['_entities', ENTITIES],
    ['_service', SERVICE],
    ['me', ME],
    ['register', REGISTER_RAW],
  ])('refuses %s without a service token, with 401 UNAUTHENTICATED, writing nothing', async (_name, query) => {
    const users = await h.count('users');
    const res = await h.gql(query, {}, { serviceToken: null });
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeUndefined();
    expect(await h.count('users')).toBe(users);
  });

  it('refuses a service token minted for another service', async () => {
    const res = await h.gql(SERVICE, {}, { serviceToken: await h.serviceToken('banking') });
    expect(res.status).toBe(401);
  });

  it('refuses a service token signed by an untrusted key', async () => {
    const rogue = createServiceTokenIssuer({ service: 'gateway', keys: await createKeySet([await generatePrivateJwk()]) });
    const res = await h.gql(SERVICE, {}, { serviceToken: await rogue('identity') });
    expect(res.status).toBe(401);
  });

  it('refuses a user access token presented as a service token', async () => {
    const res = await h.gql(SERVICE, {}, { serviceToken: 'eyJhbGciOiJub25lIn0.e30.' });
    expect(res.status).toBe(401);
  });

  it('answers _service and _entities with a valid service token', async () => {
    const sdl = await h.gql(SERVICE);
    expect(sdl.data?._service.sdl).toContain('type User');
    const entities = await h.gql(ENTITIES);
    expect(entities.errors).toBeUndefined();
    expect(entities.data?._entities).toEqual([null]);
  });

  it('refuses a valid token of a service that does not run the gateway (GRAPH_CALLERS) with 403 FORBIDDEN', async () => {
    const res = await h.gql(SERVICE, {}, { serviceToken: await h.serviceKeys.issuerFor('payments')('identity') });
    expect(res.status).toBe(403);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a token that names the gateway but is signed with a BFF key', async () => {
    const forged = createServiceTokenIssuer({ service: 'gateway', keys: h.serviceKeys.keysOf('bff-web') });
    expect((await h.gql(SERVICE, {}, { serviceToken: await forged('identity') })).status).toBe(401);
  });

  it('serves health and JWKS without a service token, and GraphQL only as POST', async () => {
    expect((await h.server.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await h.server.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect((await h.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).statusCode).toBe(200);
    const get = await h.server.app.inject({ method: 'GET', url: '/graphql?query=%7B__typename%7D' });
    expect(get.statusCode).toBe(404);
    expect(get.json().errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('entity resolution', () => {
  it('loads a batch of _entities representations with one query, and hides contact details from strangers', async () => {
    const { AccountService } = await import('../../src/services/account-service');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const email = `batch${i}.${Date.now()}@example.com`;
      const reg = await h.gql(`mutation($i: RegisterInput!) { register(input: $i) { email } }`, {
        i: { email, password: 'correct horse battery staple', displayName: `Batch ${i}` },
      });
      expect(reg.errors).toBeUndefined();
      ids.push(await h.idOf(email));
    }
    const spy = jest.spyOn(AccountService.prototype, 'findByIds');
    const representations = [...ids, ids[0], 'not-a-uuid'].map((id) => ({ __typename: 'User', id }));
    const res = await h.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName } } }`, {
      r: representations,
    });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((u: { id: string } | null) => u?.id ?? null)).toEqual([...ids, ids[0], null]);

    const email = await h.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { email } } }`, {
      r: [{ __typename: 'User', id: ids[0] }],
    });
    expect(email.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
