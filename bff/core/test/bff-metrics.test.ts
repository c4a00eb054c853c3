import { createMemoryRateLimiter, ErrorCode, errors, loadConfig, type AccessTokenClaims, type MeridianServer, type RateLimiter } from '@meridian/platform';
import { metricValue } from '@meridian/platform/testing';
import { createCapturingLogger, type FakeSubgraph, startFakeSupergraph, type TestServiceKeys } from '@meridian/supergraph/testing';
import type { Registry } from 'prom-client';
import { bffConfigSchema, createBffServer, createTrustedDocumentStore, documentIdOf, type QueryLimits } from '../src';

// A manifest for the fake subgraph's schema, keyed as codegen writes it.
const ECHO = 'query Echo { echo { requestId } }';
const BOOM = 'query Boom { boom }';
const manifest = Object.fromEntries([ECHO, BOOM].map((text) => [documentIdOf(text).slice('sha256:'.length), text]));

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;
beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(() => subgraph.close());

const limits: QueryLimits = { maxDepth: 50, maxAliases: 100, maxDirectives: 100, maxTokens: 100_000, maxRootFields: 100, maxCost: 100_000, defaultListSize: 10 };

async function verify(token: string): Promise<AccessTokenClaims> {
  if (!token.startsWith('user-')) throw errors.unauthenticated();
  return { userId: token.slice(5), sessionId: 's', roles: ['CUSTOMER'], scopes: [], tokenId: 't', expiresAt: new Date(Date.now() + 60_000), amr: ['pwd'], authTime: new Date() };
}

/** The mobile BFF's pipeline (trusted documents optional, as in development) on the fake subgraph. */
async function withMobileBff(env: Record<string, string>, rateLimiter: RateLimiter, run: (bff: { server: MeridianServer; registry: Registry; post: (payload: object) => Promise<{ status: number; body: any }> }) => Promise<void>) {
  const server = await createBffServer({
    name: 'bff-mobile',
    config: loadConfig(bffConfigSchema, { ...process.env, ...env }),
    limits,
    deps: { logger: createCapturingLogger('fatal').logger, supergraphSdl, issueServiceToken: keys.issuerFor('bff-mobile'), rateLimiter, verifyAccessToken: verify },
    trustedDocuments: { store: createTrustedDocumentStore(manifest), mode: 'optional' },
  });
  try {
    await run({
      server,
      registry: server.registry!,
      post: async (payload) => {
        const res = await server.app.inject({ method: 'POST', url: '/graphql', headers: { authorization: 'Bearer user-1' }, payload });
        return { status: res.statusCode, body: res.json() };
      },
    });
  } finally {
    await server.close();
  }
}

describe('BFF metrics', () => {
  it('name each operation by its trusted document, give free text one label, and count outcomes by code', async () => {
    await withMobileBff({}, createMemoryRateLimiter(), async ({ server, registry, post }) => {
      expect((await post({ documentId: documentIdOf(ECHO) })).body.errors).toBeUndefined();
      // The same text sent as free text is that document; the manifest's name on other text is not.
      await post({ query: ECHO });
      await post({ query: 'query Echo { echo { clientIp } }', operationName: 'Echo' });
      await post({ query: 'query Invented { echo { requestId } }' });
      const boom = await post({ documentId: documentIdOf(BOOM) });
      expect(boom.body.errors[0].extensions.code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);

      const ops = (labels: Record<string, string>) => metricValue(registry, 'graphql_operations_total', { client: 'mobile', ...labels });
      expect(await ops({ operation: 'Echo', outcome: 'ok' })).toBe(2);
      expect(await ops({ operation: '(free-text)', outcome: 'ok' })).toBe(2);
      expect(await ops({ operation: 'Boom', outcome: ErrorCode.INTERNAL_SERVER_ERROR })).toBe(1);
      expect(await ops({ operation: 'Invented', outcome: 'ok' })).toBeUndefined();
      expect(await metricValue(registry, 'graphql_operation_duration_seconds_count', { operation: 'Echo', client: 'mobile' })).toBe(2);

      // What Prometheus reads, on the BFF's internal metrics port.
      const scraped = await server.metricsApp!.inject({ method: 'GET', url: '/metrics' });
      expect(scraped.body).toMatch(/graphql_operations_total\{operation="Echo",client="mobile",outcome="ok",service="bff-mobile"\} 2/);
      expect(scraped.body).toMatch(/graphql_operation_duration_seconds_count\{service="bff-mobile",operation="Boom",client="mobile"\} 1/);
    });
  });

  it('count a refused request by the limit that refused it, and its operation as RATE_LIMITED', async () => {
    await withMobileBff({ RATE_LIMIT_CUSTOMER: '1', RATE_LIMIT_WINDOW_MS: '60000' }, createMemoryRateLimiter(), async ({ registry, post }) => {
      expect((await post({ documentId: documentIdOf(ECHO) })).status).toBe(200);
      const refused = await post({ documentId: documentIdOf(ECHO) });
      expect(refused.status).toBe(429);
      expect(await metricValue(registry, 'rate_limit_refusals_total', { limit: 'requests', client: 'mobile' })).toBe(1);
      expect(await metricValue(registry, 'graphql_operations_total', { operation: 'Echo', client: 'mobile', outcome: ErrorCode.RATE_LIMITED })).toBe(1);
    });
  });

  it('report the in-memory fallback in use while the shared limiter fails, and not once it answers again', async () => {
    const memory = createMemoryRateLimiter();
    let redisDown = false;
    const shared: RateLimiter = {
      ...memory,
      kind: 'redis',
      check: (identity, cost, policy) => (redisDown ? Promise.reject(new Error('Redis is not connected')) : memory.check(identity, cost, policy)),
    };
    await withMobileBff({}, shared, async ({ registry, post }) => {
      const inUse = () => metricValue(registry, 'redis_fallback_in_use', { component: 'rate-limiter' });
      expect(await inUse()).toBe(0);
      redisDown = true;
      // A read still runs, counted by the per-process limiter.
      expect((await post({ documentId: documentIdOf(ECHO) })).body.errors).toBeUndefined();
      expect(await inUse()).toBe(1);
      redisDown = false;
      await post({ documentId: documentIdOf(ECHO) });
      expect(await inUse()).toBe(0);
    });
  });
});
