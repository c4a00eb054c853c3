import type { MeridianServer } from '@meridian/platform';
import { createTestServiceKeys, type TestServiceKeys } from '@meridian/platform/testing';
import { postGraphQL as post, startTestBff, startTestSubgraph } from './helpers/test-bff';

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
  const seen: { query: string; authorization?: string }[] = [];
  const server = await startTestSubgraph({
    typeDefs,
    resolvers: {
      Query: { whoami: async (_: unknown, { ms }: { ms: number }, ctx: { authorization?: string }) => (await sleep(ms), ctx.authorization ?? 'nobody') },
      Mutation: { bump: async (_: unknown, { ms }: { ms: number }) => (await sleep(ms), 1) },
    },
    context: ({ query, headers }) => {
      seen.push({ query, authorization: headers.authorization });
      return { authorization: headers.authorization };
    },
  });
  return { ...server, seen, queries: (field: string) => seen.filter((s) => s.query.includes(field)) };
}

let keys: TestServiceKeys;
let subgraph: Awaited<ReturnType<typeof startSubgraph>>;
let bff: MeridianServer;
let unmerged: MeridianServer;

beforeAll(async () => {
  keys = await createTestServiceKeys();
  subgraph = await startSubgraph();
  bff = await startTestBff('bff-test', subgraph, keys);
  unmerged = await startTestBff('bff-test', subgraph, keys, { env: { SUBGRAPH_FETCH_MERGING: 'false' } });
});
afterAll(async () => {
  await bff?.close();
  await unmerged?.close();
  await subgraph?.close();
});
beforeEach(() => {
  subgraph.seen.length = 0;
});

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
