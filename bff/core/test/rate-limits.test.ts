import { createMemoryRateLimiter, ErrorCode, errors, loadConfig, type AccessTokenClaims, type RateLimiter } from '@meridian/platform';
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

const limits: QueryLimits = { maxDepth: 50, maxAliases: 100, maxDirectives: 100, maxTokens: 100_000, maxRootFields: 100, maxCost: 100_000, defaultListSize: 10 };

// Tokens "user-1", "staff-1" stand for verified access tokens.
async function fakeVerify(token: string): Promise<AccessTokenClaims> {
  const [role, id] = token.split('-');
  if (!id) throw errors.unauthenticated();
  return { userId: id, sessionId: 's', roles: [role === 'staff' ? 'SUPPORT' : 'CUSTOMER'], scopes: [], tokenId: 't', expiresAt: new Date(Date.now() + 60_000), amr: ['pwd'], authTime: new Date() };
}

async function withBff(env: Record<string, string>, rateLimiter: RateLimiter, run: (gql: (query: string, token?: string) => Promise<{ status: number; headers: Record<string, unknown>; body: any }>) => Promise<void>) {
  const server = await createBffServer({
    name: 'bff-test',
    config: loadConfig(bffConfigSchema, { ...process.env, ...env }),
    limits,
    deps: { logger: createCapturingLogger().logger, supergraphSdl, issueServiceToken: keys.issuerFor('bff-test'), rateLimiter, verifyAccessToken: fakeVerify },
  });
  try {
    await run(async (query, token) => {
      const res = await server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        payload: { query },
      });
      return { status: res.statusCode, headers: res.headers, body: res.json() };
    });
  } finally {
    await server.close();
  }
}

describe('BFF rate limits', () => {
  it('counts requests per window and refuses past it with 429, RATE_LIMITED, retryAfter and Retry-After', async () => {
    await withBff({ RATE_LIMIT_ANONYMOUS: '3', RATE_LIMIT_WINDOW_MS: '60000' }, createMemoryRateLimiter(), async (gql) => {
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const ok = await gql('{ node { id } }');
        expect(ok.body.errors).toBeUndefined();
        remaining.push(ok.body.extensions.rateLimit.remaining);
        expect(ok.body.extensions.rateLimit).toMatchObject({ limit: 3 });
        expect(new Date(ok.body.extensions.rateLimit.resetAt).getTime()).toBeGreaterThan(Date.now());
      }
      expect(remaining).toEqual([2, 1, 0]);
      const refused = await gql('{ node { id } }');
      expect(refused.status).toBe(429);
      expect(refused.body.errors[0].extensions).toMatchObject({ code: ErrorCode.RATE_LIMITED });
      expect(refused.body.errors[0].extensions.retryAfter).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBe(refused.body.errors[0].extensions.retryAfter);
      expect(refused.body.data ?? null).toBeNull();
    });
  });

  it('drains the cost budget and restores it at the stated rate', async () => {
    let clock = 1_700_000_000_000;
    const limiter = createMemoryRateLimiter({ now: () => clock });
    await withBff({ COST_BUDGET_ANONYMOUS: '10', COST_RESTORE_ANONYMOUS: '5' }, limiter, async (gql) => {
      const query = deepNodeQuery(6); // cost 5
      const first = await gql(query);
      expect(first.body.extensions.cost).toMatchObject({
        requestedQueryCost: 5,
        throttleStatus: { maximumAvailable: 10, currentlyAvailable: 5, restoreRate: 5 },
      });
      expect((await gql(query)).body.errors).toBeUndefined();
      const refused = await gql(query);
      expect(refused.status).toBe(429);
      expect(refused.body.errors[0].extensions).toMatchObject({ code: ErrorCode.RATE_LIMITED, retryAfter: 1 });
      clock += 1_000; // 5 points back at 5 per second
      expect((await gql(query)).body.errors).toBeUndefined();
      expect((await gql(query)).status).toBe(429);
    });
  });

  it('limits each user apart from the others, and staff on a larger budget', async () => {
    await withBff({ RATE_LIMIT_CUSTOMER: '2', RATE_LIMIT_STAFF: '5' }, createMemoryRateLimiter(), async (gql) => {
      await gql('{ node { id } }', 'user-1');
      await gql('{ node { id } }', 'user-1');
      expect((await gql('{ node { id } }', 'user-1')).status).toBe(429);
      expect((await gql('{ node { id } }', 'user-2')).status).toBe(200);
      const staff = await gql('{ node { id } }', 'staff-9');
      expect(staff.body.extensions.rateLimit.limit).toBe(5);
    });
  });

  it('falls back to a per-process limiter for ordinary requests when the shared one fails, without waiting', async () => {
    const lost = async () => Promise.reject(new Error('connection lost'));
    const broken: RateLimiter = { kind: 'redis', check: lost, recordCall: lost, close: async () => {} };
    await withBff({ RATE_LIMIT_ANONYMOUS: '2' }, broken, async (gql) => {
      expect((await gql('{ node { id } }')).status).toBe(200);
      expect((await gql('{ node { id } }')).status).toBe(200);
      // The fallback still limits.
      expect((await gql('{ node { id } }')).status).toBe(429);
    });
  });
});
