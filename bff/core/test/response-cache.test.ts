import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  createMemoryEventBus,
  createMemoryKeyValueStore,
  errors,
  loadConfig,
  type AccessTokenClaims,
  type EventBus,
  type KeyValueStore,
  type MeridianServer,
} from '@meridian/platform';
import { createTestServiceKeys, type TestServiceKeys } from '@meridian/platform/testing';
import { composeTestSupergraph } from '@meridian/supergraph/testing';
import { execute, parse } from 'graphql';
import { bffConfigSchema, createBffServer, createResponseCache, usersOfEvent, type ResponseCache } from '../src';

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
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(typeDefs),
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
      } as never,
    },
  ]);
  const state = { cacheControl: 'max-age=30, private' as string | undefined, requests: 0 };
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', async () => {
      const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
      if (!body.query.includes('_service')) state.requests += 1;
      // Whose balance: the user behind the token (two tokens of one user share it).
      const who = (request.headers.authorization ?? 'nobody').replace(/^Bearer /, '').replace(/-2$/, '');
      const result = await execute({ schema, document: parse(body.query), variableValues: body.variables, contextValue: { who } });
      response.writeHead(200, { 'content-type': 'application/json', ...(state.cacheControl ? { 'cache-control': state.cacheControl } : {}) });
      response.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    state,
    balances,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function claims(userId: string, roles: AccessTokenClaims['roles'], sessionId = `s-${userId}`, scopes: string[] = ['accounts:read']): AccessTokenClaims {
  return { userId, sessionId, roles, scopes, tokenId: userId, expiresAt: new Date(Date.now() + 600_000), amr: ['pwd'], authTime: new Date() } as AccessTokenClaims;
}

/** Tokens are their own names: two customers, a second session of the first, and a member of staff. */
const tokens = new Map<string, AccessTokenClaims>([
  ['alice', claims('u-alice', ['CUSTOMER'])],
  ['alice-2', claims('u-alice', ['CUSTOMER'], 's-alice-2')],
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
let store: KeyValueStore;
let cache: ResponseCache;
let bus: EventBus;
let mobile: MeridianServer;
let web: MeridianServer;

async function startBff(name: string, deps: { responseCache?: ResponseCache; eventBus?: EventBus } = {}, env: Record<string, string> = {}) {
  return createBffServer({
    name,
    config: loadConfig(bffConfigSchema, { ...process.env, RATE_LIMIT_CUSTOMER: '100000', RATE_LIMIT_STAFF: '100000', RATE_LIMIT_ANONYMOUS: '100000', ...env }),
    limits: { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxTokens: 5_000, maxRootFields: 20, maxCost: 100_000, defaultListSize: 10 },
    deps: {
      supergraphSdl: composeTestSupergraph([{ name: 'money', url: subgraph.url, typeDefs }]),
      issueServiceToken: keys.issuerFor(name),
      verifyAccessToken,
      ...deps,
    },
  });
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

async function post(server: MeridianServer, query: string, token?: string) {
  const res = await server.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: { query },
  });
  return { headers: res.headers, ...(res.json() as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] }) };
}

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
