import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { errors, loadConfig, type AccessTokenClaims, type MeridianServer } from '@meridian/platform';
import { createTestServiceKeys, type TestServiceKeys } from '@meridian/platform/testing';
import { composeTestSupergraph } from '@meridian/supergraph/testing';
import { execute, parse } from 'graphql';
import { bffConfigSchema, createBffServer } from '../src';

// Identical query fetches in flight for one caller go to the subgraph once; never across
// callers, never for mutations or staff, and never joining a fetch sent before the caller's write.

const typeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    "Whose Authorization the subgraph saw, after ms milliseconds."
    whoami(ms: Int!): String
  }
  type Mutation {
    "Answers after ms milliseconds."
    bump(ms: Int!): Int
  }
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A subgraph that answers slowly and records each request's operation and Authorization. */
async function startSubgraph() {
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(typeDefs),
      resolvers: {
        Query: { whoami: async (_: unknown, { ms }: { ms: number }, ctx: { authorization?: string }) => (await sleep(ms), ctx.authorization ?? 'nobody') },
        Mutation: { bump: async (_: unknown, { ms }: { ms: number }) => (await sleep(ms), 1) },
      } as never,
    },
  ]);
  const seen: { query: string; authorization?: string }[] = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', async () => {
      const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
      seen.push({ query: body.query, authorization: request.headers.authorization });
      const result = await execute({ schema, document: parse(body.query), variableValues: body.variables, contextValue: { authorization: request.headers.authorization } });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    seen,
    queries: (field: string) => seen.filter((s) => s.query.includes(field)),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function claims(userId: string, roles: AccessTokenClaims['roles']): AccessTokenClaims {
  return { userId, sessionId: `s-${userId}`, roles, scopes: [], tokenId: userId, expiresAt: new Date(Date.now() + 600_000), amr: ['pwd'], authTime: new Date() };
}

/** Tokens are their own names: two customers, a second token of the first, and a member of staff. */
const tokens = new Map<string, AccessTokenClaims>([
  ['alice', claims('u-alice', ['CUSTOMER'])],
  ['alice-2', claims('u-alice', ['CUSTOMER'])],
  ['bob', claims('u-bob', ['CUSTOMER'])],
  ['support', claims('u-support', ['SUPPORT'])],
]);
const verifyAccessToken = async (token: string) => {
  const found = tokens.get(token);
  if (!found) throw errors.unauthenticated('The access token is not valid.');
  return found;
};

let keys: TestServiceKeys;
let subgraph: Awaited<ReturnType<typeof startSubgraph>>;
let bff: MeridianServer;
let unmerged: MeridianServer;

async function startBff(env: Record<string, string> = {}): Promise<MeridianServer> {
  return createBffServer({
    name: 'bff-test',
    config: loadConfig(bffConfigSchema, { ...process.env, RATE_LIMIT_CUSTOMER: '100000', RATE_LIMIT_STAFF: '100000', RATE_LIMIT_ANONYMOUS: '100000', ...env }),
    limits: { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxTokens: 5_000, maxRootFields: 20, maxCost: 100_000, defaultListSize: 10 },
    deps: {
      supergraphSdl: composeTestSupergraph([{ name: 'slow', url: subgraph.url, typeDefs }]),
      issueServiceToken: keys.issuerFor('bff-test'),
      verifyAccessToken,
    },
  });
}

beforeAll(async () => {
  keys = await createTestServiceKeys();
  subgraph = await startSubgraph();
  bff = await startBff();
  unmerged = await startBff({ SUBGRAPH_FETCH_MERGING: 'false' });
});
afterAll(async () => {
  await bff?.close();
  await unmerged?.close();
  await subgraph?.close();
});
beforeEach(() => {
  subgraph.seen.length = 0;
});

async function post(server: MeridianServer, query: string, token?: string) {
  const res = await server.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: { query },
  });
  return res.json() as { data?: Record<string, unknown>; errors?: unknown[] };
}

const times = <T>(n: number, make: () => Promise<T>) => Promise.all(Array.from({ length: n }, make));

describe('merging identical subgraph fetches in flight', () => {
  it('sends identical queries of one caller at once to the subgraph once, each request getting the answer', async () => {
    const answers = await times(5, () => post(bff, '{ whoami(ms: 150) }', 'alice'));
    expect(answers).toEqual(Array.from({ length: 5 }, () => expect.objectContaining({ data: { whoami: 'Bearer alice' } })));
    expect(subgraph.queries('whoami')).toHaveLength(1);
  });

  it('never merges across callers: each user, and each token of one user, gets its own fetch and its own answer', async () => {
    const [alice, bob, alice2] = await Promise.all([
      times(3, () => post(bff, '{ whoami(ms: 150) }', 'alice')),
      times(3, () => post(bff, '{ whoami(ms: 150) }', 'bob')),
      times(3, () => post(bff, '{ whoami(ms: 150) }', 'alice-2')),
    ]);
    expect(alice.map((a) => a.data?.whoami)).toEqual(['Bearer alice', 'Bearer alice', 'Bearer alice']);
    expect(bob.map((a) => a.data?.whoami)).toEqual(['Bearer bob', 'Bearer bob', 'Bearer bob']);
    expect(alice2.map((a) => a.data?.whoami)).toEqual(['Bearer alice-2', 'Bearer alice-2', 'Bearer alice-2']);
    expect(subgraph.queries('whoami').map((s) => s.authorization).sort()).toEqual(['Bearer alice', 'Bearer alice-2', 'Bearer bob']);
  });

  it('sends different variables separately', async () => {
    await Promise.all([post(bff, '{ whoami(ms: 150) }', 'alice'), post(bff, '{ whoami(ms: 151) }', 'alice')]);
    expect(subgraph.queries('whoami')).toHaveLength(2);
  });

  it('never merges mutations', async () => {
    const answers = await times(3, () => post(bff, 'mutation { bump(ms: 150) }', 'alice'));
    expect(answers.map((a) => a.data?.bump)).toEqual([1, 1, 1]);
    expect(subgraph.queries('bump')).toHaveLength(3);
  });

  it('a query sent after the caller’s write does not join a fetch sent before it', async () => {
    const before = post(bff, '{ whoami(ms: 400) }', 'alice');
    await sleep(50);
    await post(bff, 'mutation { bump(ms: 10) }', 'alice');
    const after = await post(bff, '{ whoami(ms: 400) }', 'alice');
    await before;
    expect(after.data?.whoami).toBe('Bearer alice');
    expect(subgraph.queries('whoami')).toHaveLength(2);
  });

  it('never merges staff reads (each is audited on its own) or anonymous requests', async () => {
    await times(3, () => post(bff, '{ whoami(ms: 150) }', 'support'));
    expect(subgraph.queries('whoami')).toHaveLength(3);
    subgraph.seen.length = 0;
    const anonymous = await times(3, () => post(bff, '{ whoami(ms: 150) }'));
    expect(anonymous.map((a) => a.data?.whoami)).toEqual(['nobody', 'nobody', 'nobody']);
    expect(subgraph.queries('whoami')).toHaveLength(3);
  });

  it('is off with SUBGRAPH_FETCH_MERGING=false', async () => {
    await times(3, () => post(unmerged, '{ whoami(ms: 150) }', 'alice'));
    expect(subgraph.queries('whoami')).toHaveLength(3);
  });
});
