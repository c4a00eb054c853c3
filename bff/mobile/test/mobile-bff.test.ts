import { ErrorCode } from '@meridian/platform';
import {
  createCapturingLogger,
  deepNodeQuery,
  type FakeSubgraph,
  startFakeSupergraph,
  type TestServiceKeys,
} from '@meridian/supergraph/testing';
import { createMobileBffServer, loadMobileBffConfig } from '../src';

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;

beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(async () => {
  await subgraph.close();
});

async function startMobileBff(env: Record<string, string> = {}) {
  const config = loadMobileBffConfig({ ...process.env, ...env });
  return createMobileBffServer(config, {
    logger: createCapturingLogger().logger,
    supergraphSdl,
    issueServiceToken: keys.issuerFor('bff-mobile'),
  });
}

describe('mobile BFF', () => {
  it('defaults to port 4001 and depth 10', () => {
    const config = loadMobileBffConfig({});
    expect(config.MOBILE_BFF_PORT).toBe(4001);
    expect(config.MOBILE_MAX_DEPTH).toBe(10);
  });

  it('accepts a query 10 levels deep and refuses 11 with QUERY_TOO_COMPLEX', async () => {
    const server = await startMobileBff();
    try {
      const post = (query: string) => server.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
      const atLimit = await post(deepNodeQuery(10));
      expect(atLimit.statusCode).toBe(200);
      expect(atLimit.json().errors).toBeUndefined();

      const tooDeep = await post(deepNodeQuery(11));
      expect(tooDeep.statusCode).toBe(400);
      expect(tooDeep.json().errors[0]).toMatchObject({
        message: expect.stringContaining('10'),
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason: 'depth', limit: 10 },
      });
    } finally {
      await server.close();
    }
  });

  it('forwards the app’s Idempotency-Key to the subgraph and refuses a malformed one with 400 BAD_USER_INPUT', async () => {
    const server = await startMobileBff();
    try {
      const post = (key: string) =>
        server.app.inject({ method: 'POST', url: '/graphql', headers: { 'idempotency-key': key }, payload: { query: '{ echo { idempotencyKey } }' } });
      const before = subgraph.requests.length;
      const sent = await post('a3c1e0d2-7b4f-4e19-8c55-0d2e6f9b1a77');
      expect(sent.statusCode).toBe(200);
      expect(sent.json().data.echo.idempotencyKey).toBe('a3c1e0d2-7b4f-4e19-8c55-0d2e6f9b1a77');
      expect(subgraph.requests.at(-1)!.headers['idempotency-key']).toBe('a3c1e0d2-7b4f-4e19-8c55-0d2e6f9b1a77');

      const malformed = await post('k'.repeat(256));
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().errors[0].extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'idempotencyKey' });
      expect(subgraph.requests.length).toBe(before + 1);
    } finally {
      await server.close();
    }
  });

  it('follows MOBILE_MAX_DEPTH', async () => {
    const server = await startMobileBff({ MOBILE_MAX_DEPTH: '3' });
    try {
      const res = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: deepNodeQuery(4) } });
      expect(res.json().errors[0].extensions).toEqual({ code: ErrorCode.QUERY_TOO_COMPLEX, reason: 'depth', limit: 3 });
    } finally {
      await server.close();
    }
  });

  it('refuses introspection in production (free text is refused there before it is parsed) and serves no GraphiQL', async () => {
    const server = await startMobileBff({ NODE_ENV: 'production' });
    try {
      const res = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ __schema { types { name } } }' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_ID_REQUIRED);
      // A browser asking for the playground gets GraphQL's refusal, not a page, and no GraphiQL asset exists.
      const page = await server.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
      expect(page.headers['content-type']).not.toMatch(/text\/html/);
      expect(page.statusCode).toBe(400);
      expect(page.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_ID_REQUIRED);
      expect((await server.app.inject({ method: 'GET', url: '/graphiql/graphiql.js' })).statusCode).toBe(404);
    } finally {
      await server.close();
    }
  });
});
