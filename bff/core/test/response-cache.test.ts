import {
  createMemoryEventBus,
  createMemoryKeyValueStore,
  type EventBus,
  type KeyValueStore,
  type MeridianServer,
} from '@meridian/platform';
import { createTestServiceKeys, type TestServiceKeys } from '@meridian/platform/testing';
import { createResponseCache, usersOfEvent, type ResponseCache } from '../src';
import { postGraphQL as post, startTestBff, startTestSubgraph } from './helpers/test-bff';

// The per-user response cache: a customer's query is answered from their own cached response
// while the subgraphs allow it, never across users or sessions, never for staff, and never after
// the user's own write or an event naming them.

const typeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    "The caller's balance as the subgraph holds it now."
    balance: Int
    "Fails for everyone."
    broken: Int
  }
  type Mutation {
    "Adds to the caller's balance."
    deposit(amount: Int!): Int
  }
`;

/** A subgraph holding a balance per Authorization, answering with the Cache-Control `cacheControl` says. */
async function startSubgraph() {
  const balances = new Map<string, number>();
  const state = { cacheControl: 'max-age=30, private' as string | undefined, requests: 0 };
  const server = await startTestSubgraph({
    typeDefs,
    resolvers: {
      Query: {
        balance: (_: unknown, __: unknown, ctx: { who: string }) => balances.get(ctx.who) ?? 0,
        broken: () => {
          throw new Error('broken');
        },
      },
      Mutation: {
        deposit: (_: unknown, { amount }: { amount: number }, ctx: { who: string }) => {
          balances.set(ctx.who, (balances.get(ctx.who) ?? 0) + amount);
          return balances.get(ctx.who);
        },
      },
    },
    context: ({ query, headers }) => {
      if (!query.includes('_service')) state.requests += 1;
      // Whose balance: the user behind the token (two tokens of one user share it).
      return { who: (headers.authorization ?? 'nobody').replace(/^Bearer /, '').replace(/-2$/, '') };
    },
    responseHeaders: (): Record<string, string> => (state.cacheControl ? { 'cache-control': state.cacheControl } : {}),
  });
  return { ...server, state, balances };
}

let keys: TestServiceKeys;
let subgraph: Awaited<ReturnType<typeof startSubgraph>>;
let store: KeyValueStore;
let cache: ResponseCache;
let bus: EventBus;
let mobile: MeridianServer;
let web: MeridianServer;

function startBff(name: string, deps: { responseCache?: ResponseCache; eventBus?: EventBus } = {}, env: Record<string, string> = {}) {
  return startTestBff(name, subgraph, keys, { deps, env });
}

beforeAll(async () => {
  keys = await createTestServiceKeys();
  subgraph = await startSubgraph();
  store = createMemoryKeyValueStore();
  cache = createResponseCache({ store, maxAgeSeconds: 60 });
  bus = createMemoryEventBus();
  // Two BFFs sharing one cache and one bus, as the embedded starter wires them.
  mobile = await startBff('bff-mobile', { responseCache: cache, eventBus: bus });
  web = await startBff('bff-web', { responseCache: cache, eventBus: bus });
});
afterAll(async () => {
  await mobile?.close();
  await web?.close();
  await bus?.close();
  await store?.close();
  await subgraph?.close();
});
beforeEach(async () => {
  subgraph.state.cacheControl = 'max-age=30, private';
  // A fresh generation for everyone: nothing cached by an earlier test is read.
  await cache.invalidate(['u-alice', 'u-bob', 'u-support']);
  subgraph.state.requests = 0;
});

describe('the per-user response cache', () => {
  it('answers a customer’s repeated query from their cached response, and tells the client not to cache it', async () => {
    subgraph.balances.set('alice', 7);
    const first = await post(mobile, '{ balance }', 'alice');
    const second = await post(mobile, '{ balance }', 'alice');
    expect(first.data).toEqual({ balance: 7 });
    expect(second.data).toEqual({ balance: 7 });
    expect(subgraph.state.requests).toBe(1);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(second.headers['cache-control']).toBe('no-store');
  });

  it('never answers one user, or one session, from another’s entry', async () => {
    subgraph.balances.set('alice', 1);
    subgraph.balances.set('bob', 2);
    expect((await post(mobile, '{ balance }', 'alice')).data).toEqual({ balance: 1 });
    expect((await post(mobile, '{ balance }', 'bob')).data).toEqual({ balance: 2 });
    expect((await post(mobile, '{ balance }', 'alice-2')).data).toEqual({ balance: 1 });
    expect(subgraph.state.requests).toBe(3);
  });

  it('a read after the user’s own write, through either BFF, sees the write', async () => {
    subgraph.balances.set('alice', 10);
    expect((await post(web, '{ balance }', 'alice')).data).toEqual({ balance: 10 });
    expect((await post(mobile, '{ balance }', 'alice')).data).toEqual({ balance: 10 });
    expect((await post(mobile, 'mutation { deposit(amount: 5) }', 'alice')).data).toEqual({ deposit: 15 });
    // Through the other BFF and through the same one, from another session too.
    expect((await post(web, '{ balance }', 'alice')).data).toEqual({ balance: 15 });
    expect((await post(mobile, '{ balance }', 'alice-2')).data).toEqual({ balance: 15 });
    expect((await post(web, 'mutation { deposit(amount: 1) }', 'alice-2')).data).toEqual({ deposit: 16 });
    expect((await post(mobile, '{ balance }', 'alice')).data).toEqual({ balance: 16 });
  });

  it('an event naming the user ends their entries; one naming someone else does not', async () => {
    subgraph.balances.set('alice', 3);
    await post(mobile, '{ balance }', 'alice');
    subgraph.balances.set('alice', 4); // changed elsewhere: a payment received
    expect((await post(mobile, '{ balance }', 'alice')).data).toEqual({ balance: 3 });
    await bus.publish('ledger.events', { id: 'e-1', type: 'ledger.transfer.posted', payload: { transferId: 't-1', ownerIds: ['u-bob'] }, occurredAt: new Date() });
    await bus.publish('payments.events', { id: 'e-2', type: 'payment.succeeded', payload: { paymentId: 'p-1', userId: 'u-carol', counterpartyUserId: 'u-alice' }, occurredAt: new Date() });
    const deadline = Date.now() + 10_000;
    let seen: unknown;
    while (Date.now() < deadline && (seen = (await post(mobile, '{ balance }', 'alice')).data?.balance) !== 4) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toBe(4);
  });

  it('keeps nothing the subgraphs did not allow, nothing with an error, and nothing for staff or anonymous callers', async () => {
    subgraph.state.cacheControl = undefined;
    await post(mobile, '{ balance }', 'alice');
    await post(mobile, '{ balance }', 'alice');
    expect(subgraph.state.requests).toBe(2);

    subgraph.state.cacheControl = 'max-age=0, private';
    await post(mobile, '{ balance }', 'alice');
    await post(mobile, '{ balance }', 'alice');
    expect(subgraph.state.requests).toBe(4);

    subgraph.state.cacheControl = 'max-age=30, private';
    const broken = await post(mobile, '{ balance broken }', 'alice');
    expect(broken.errors?.length).toBeGreaterThan(0);
    await post(mobile, '{ balance broken }', 'alice');
    expect(subgraph.state.requests).toBe(6);

    await post(mobile, '{ balance }', 'support');
    await post(mobile, '{ balance }', 'support');
    await post(mobile, '{ balance }');
    await post(mobile, '{ balance }');
    expect(subgraph.state.requests).toBe(10);
  });

  it('keeps an entry no longer than its cap, whatever the subgraph allowed', async () => {
    const seen: number[] = [];
    const capped = createResponseCache({ store: { ...store, set: async (key, value, ttlMs) => (seen.push(ttlMs ?? -1), store.set(key, value, ttlMs)) }, maxAgeSeconds: 5 });
    await capped.entries.set('k', 'v', { ttl: 3_600 });
    await capped.entries.set('k2', 'v', { ttl: 2 });
    expect(seen).toEqual([5_000, 2_000]);
  });

  it('is not used by a process whose invalidation failed, until every entry made before has expired', async () => {
    let failing = true;
    const flaky: KeyValueStore = { ...store, set: async (key, value, ttlMs) => (failing && key.includes('generation') ? Promise.reject(new Error('Redis down')) : store.set(key, value, ttlMs)) };
    const distrusting = createResponseCache({ store: flaky, maxAgeSeconds: 60 });
    await distrusting.entries.set('k', 'v', { ttl: 30 });
    expect(await distrusting.entries.get('k')).toBe('v');
    await expect(distrusting.invalidate(['u-alice'])).rejects.toThrow('Redis down');
    failing = false;
    expect(await distrusting.entries.get('k')).toBeUndefined();
    expect(await distrusting.generation('u-alice')).toBeUndefined();
  });

  it('is off with RESPONSE_CACHE=false', async () => {
    const off = await startBff('bff-test', {}, { RESPONSE_CACHE: 'false' });
    try {
      await post(off, '{ balance }', 'alice');
      await post(off, '{ balance }', 'alice');
      expect(subgraph.state.requests).toBe(2);
    } finally {
      await off.close();
    }
  });
});

describe('the customers a domain event names', () => {
  it('reads userId, counterpartyUserId and ownerIds, ignoring anything else', () => {
    expect(usersOfEvent({ userId: 'a', counterpartyUserId: 'b', ownerIds: ['c', 'd', 7], other: 'x' })).toEqual(['a', 'b', 'c', 'd']);
    expect(usersOfEvent({ userId: null, ownerIds: 'not a list' })).toEqual([]);
  });
});
