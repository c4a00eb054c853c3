import { loadConfig } from '@meridian/platform';
import { startFakeSupergraph, type FakeSupergraph } from '@meridian/supergraph/testing';
import { bffConfigSchema, createBffServer, type BffContext, type BffHandle, type BffPlugin, type BffRequestState } from '../src';
import { verifyTestToken } from './helpers/test-bff';

let fake: FakeSupergraph;

beforeAll(async () => {
  fake = await startFakeSupergraph();
});
afterAll(async () => {
  await fake.subgraph.close();
});

describe('the per-request state on the BFF context', () => {
  it('is fresh for every GraphQL request, even when one context object is reused', async () => {
    // A step after the limits: it sees what the steps before it wrote, then leaves a false caller behind.
    const seen: { state: BffRequestState; copy: BffRequestState }[] = [];
    const probe: BffPlugin = {
      name: 'state-probe',
      async guard({ contextValue }) {
        seen.push({ state: contextValue.state, copy: structuredClone(contextValue.state) });
        contextValue.state.caller = { key: 'user:left-behind', class: 'staff' };
        contextValue.state.requestedCost = -1;
      },
    };
    let handle: BffHandle | undefined;
    const server = await createBffServer({
      name: 'bff-test',
      config: loadConfig(bffConfigSchema, { ...process.env, RATE_LIMIT_CUSTOMER: '100000' }),
      limits: { maxDepth: 10, maxAliases: 50, maxDirectives: 50, maxTokens: 10_000, maxRootFields: 50, maxCost: 100_000, defaultListSize: 10 },
      deps: { supergraphSdl: fake.supergraphSdl, issueServiceToken: fake.keys.issuerFor('bff-test'), verifyAccessToken: verifyTestToken },
      plugins: [probe],
      routes: (_app, _logger, bff) => {
        handle = bff;
      },
    });
    try {
      const context: BffContext = { requestId: 'r-state', clientIp: '203.0.113.7', userAgent: 'jest', authorization: 'Bearer alice', state: {} };
      const first = await handle!.execute({ query: '{ echo { authorization } }' }, context);
      expect(first.status).toBe(200);
      // The same object again, now for another user: nothing of the first request may carry over.
      context.authorization = 'Bearer bob';
      const second = await handle!.execute({ query: '{ echo { authorization } }' }, context);
      expect(second.status).toBe(200);
      expect(second.body.data?.echo).toEqual({ authorization: 'Bearer bob' });

      expect(seen).toHaveLength(2);
      expect(seen[1].state).not.toBe(seen[0].state);
      expect(seen[0].copy).toMatchObject({ caller: { key: 'user:u-alice', class: 'customer' }, user: { claims: { userId: 'u-alice' } } });
      expect(seen[1].copy).toMatchObject({ caller: { key: 'user:u-bob', class: 'customer' }, user: { claims: { userId: 'u-bob' } } });
      // Written afresh by the cost limit and the rate limits for the second request, not left from the first.
      for (const { copy } of seen) {
        expect(copy.requestedCost).toBeGreaterThan(0);
        expect(copy.rateLimit).toMatchObject({ allowed: true });
      }
      // Apollo runs each request on a shallow copy of the context: the state object handed in was never written to.
      expect(context.state).toEqual({});
    } finally {
      await server.close();
    }
  });
});
