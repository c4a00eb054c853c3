import { ErrorCode, loadConfig } from '@meridian/platform';
import {
  createCapturingLogger,
  deepNodeQuery,
  type FakeSubgraph,
  startFakeSupergraph,
  type TestServiceKeys,
} from '@meridian/supergraph/testing';
import { bffConfigSchema, createBffServer, type QueryLimits } from '../src';

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;
beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(() => subgraph.close());

const generous: QueryLimits = { maxDepth: 50, maxAliases: 100, maxDirectives: 100, maxTokens: 100_000, maxRootFields: 100, maxCost: 100_000, defaultListSize: 10 };

async function withBff<T>(limits: Partial<QueryLimits>, run: (gql: (query: string) => Promise<{ status: number; body: any }>) => Promise<T>) {
  const server = await createBffServer({
    name: 'bff-test',
    config: loadConfig(bffConfigSchema, { ...process.env }),
    limits: { ...generous, ...limits },
    deps: { logger: createCapturingLogger().logger, supergraphSdl, issueServiceToken: keys.issuerFor('bff-test') },
  });
  try {
    return await run(async (query) => {
      const res = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
      return { status: res.statusCode, body: res.json() };
    });
  } finally {
    await server.close();
  }
}

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: node { id }`).join(' ')} }`;
const rootFields = (n: number) => `{ ${Array.from({ length: n }, (_, i) => (i % 2 ? `n${i}: node { id }` : `e${i}: echo { caller }`)).join(' ')} }`;
const directives = (n: number) => `{ node { ${Array.from({ length: n }, () => 'id @include(if: true)').join(' ')} } }`;

function expectRefused(res: { status: number; body: any }, reason: string, limit: number) {
  expect(res.body.data ?? null).toBeNull();
  expect(res.body.errors?.[0].extensions).toMatchObject({ code: ErrorCode.QUERY_TOO_COMPLEX, reason, limit });
  expect(res.status).toBe(400);
}

describe('BFF query limits', () => {
  it('aliases: at the limit passes, one more is refused', async () => {
    await withBff({ maxAliases: 5 }, async (gql) => {
      expect((await gql(aliases(5))).body.errors).toBeUndefined();
      expectRefused(await gql(aliases(6)), 'aliases', 5);
    });
  });

  it('root fields: at the limit passes, one more is refused (fragments counted)', async () => {
    await withBff({ maxRootFields: 4 }, async (gql) => {
      expect((await gql(rootFields(4))).body.errors).toBeUndefined();
      expectRefused(await gql(rootFields(5)), 'rootFields', 4);
      expectRefused(await gql('{ ...F node { id } } fragment F on Query { echo { caller } a: node { id } b: node { id } c: node { id } }'), 'rootFields', 4);
      expectRefused(await gql('{ node { id } ... on Query { a: node { id } ... on Query { b: node { id } } } ...F } fragment F on Query { c: node { id } d: node { id } }'), 'rootFields', 4);
    });
  });

  it('root fields: counts what executes, so a repeated field counts once and a skipped one not at all', async () => {
    await withBff({ maxRootFields: 2 }, async (gql) => {
      expect((await gql('{ node { id } node { id } echo { caller } ...F } fragment F on Query { node { id } }')).body.errors).toBeUndefined();
      expect((await gql('{ node { id } echo { caller } a: node @skip(if: true) { id } b: node @include(if: false) { id } }')).body.errors).toBeUndefined();
      expectRefused(await gql('{ node { id } echo { caller } a: node @include(if: true) { id } }'), 'rootFields', 2);
    });
  });

  it('directives: at the limit passes, one more is refused', async () => {
    await withBff({ maxDirectives: 3 }, async (gql) => {
      expect((await gql(directives(3))).body.errors).toBeUndefined();
      expectRefused(await gql(directives(4)), 'directives', 3);
    });
  });

  it('tokens: a document at the limit parses, a longer one is refused before validation', async () => {
    const query = '{ node { id } }'; // 6 tokens: { node { id } }
    await withBff({ maxTokens: 6 }, async (gql) => {
      expect((await gql(query)).body.errors).toBeUndefined();
      expectRefused(await gql('{ node { id child { id } } }'), 'tokens', 6);
    });
  });

  it('cost: at the limit passes and is reported, over it is refused', async () => {
    await withBff({ maxCost: 5 }, async (gql) => {
      const ok = await gql(deepNodeQuery(6)); // node + 4 children = 5 objects
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.extensions.cost.requestedQueryCost).toBe(5);
      expectRefused(await gql(deepNodeQuery(7)), 'cost', 5);
    });
  });
});
