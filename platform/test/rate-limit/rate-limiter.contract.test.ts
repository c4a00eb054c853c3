import { randomBytes } from 'node:crypto';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter, type RateLimitPolicy } from '@meridian/platform';
import { closedLocalPort } from '../helpers/network';
import { sleep } from '../helpers/settle-within';

interface Harness {
  limiter: RateLimiter;
  /** Lets `ms` pass as the limiter sees it: a fake clock for memory, real time for Redis. */
  advance(ms: number): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL;
const MARGIN_MS = 60;

function contract(create: () => Promise<Harness>): void {
  let h: Harness;
  let id: string;
  beforeEach(async () => {
    h = await create();
    id = `caller-${randomBytes(4).toString('hex')}`;
  });
  afterEach(() => h.limiter.close());

  const requests: RateLimitPolicy = { requestsPerWindow: 3, windowMs: 400, costCapacity: 1_000, costRestoreRate: 1_000 };
  // Restored slowly enough that a busy machine cannot refill the 10 points between two checks.
  const budget: RateLimitPolicy = { requestsPerWindow: 1_000, windowMs: 60_000, costCapacity: 100, costRestoreRate: 10 };

  it('allows the window, refuses past it with the time to its end, and opens again after', async () => {
    for (let i = 0; i < 3; i++) expect((await h.limiter.check(id, 1, requests)).allowed).toBe(true);
    const refused = await h.limiter.check(id, 1, requests);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'requests', requests: { limit: 3, remaining: 0 } });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(400);
    await h.advance(400);
    expect((await h.limiter.check(id, 1, requests)).allowed).toBe(true);
  });

  it('drains the cost budget and restores it at the stated rate', async () => {
    const first = await h.limiter.check(id, 100, budget);
    expect(first).toMatchObject({ allowed: true, cost: { maximumAvailable: 100, restoreRate: 10 } });
    expect(first.cost.currentlyAvailable).toBeLessThanOrEqual(1);
    const refused = await h.limiter.check(id, 10, budget);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'cost' });
    // 10 points at 10 points/s: about a second.
    expect(refused.retryAfterMs).toBeGreaterThan(500);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await h.advance(1_000);
    expect((await h.limiter.check(id, 10, budget)).allowed).toBe(true);
  });

  it('changes nothing when it refuses', async () => {
    expect((await h.limiter.check(id, 90, budget)).allowed).toBe(true);
    expect((await h.limiter.check(id, 50, budget)).allowed).toBe(false);
    const after = await h.limiter.check(id, 5, budget);
    expect(after.allowed).toBe(true);
    expect(after.requests.remaining).toBe(1_000 - 2);
  });

  it('never fits a cost larger than the whole budget', async () => {
    const refused = await h.limiter.check(id, 101, budget);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'cost', retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it('keeps callers apart', async () => {
    for (let i = 0; i < 3; i++) await h.limiter.check(id, 1, requests);
    expect((await h.limiter.check(`${id}-other`, 1, requests)).allowed).toBe(true);
  });

  it('records calls and returns the earlier ones within the window', async () => {
    const t = Date.now();
    expect(await h.limiter.recordCall(id, t, 1_000)).toEqual([]);
    expect(await h.limiter.recordCall(id, t + 10, 1_000)).toEqual([t]);
    expect(await h.limiter.recordCall(id, t + 10, 1_000)).toEqual([t, t + 10]);
    expect(await h.limiter.recordCall(id, t + 1_005, 1_000)).toEqual([t + 10, t + 10]);
  });

  it('records concurrent calls atomically: each sees a different number of earlier calls', async () => {
    const t = Date.now();
    const seen = await Promise.all(Array.from({ length: 50 }, () => h.limiter.recordCall(`${id}-calls`, t, 60_000)));
    expect(seen.map((s) => s.length).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('is atomic: 50 concurrent checks against a limit of 5 allow exactly 5', async () => {
    const policy = { ...requests, requestsPerWindow: 5, windowMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 50 }, () => h.limiter.check(id, 1, policy)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });
}

describe('memory rate limiter', () => {
  contract(async () => {
    let clock = 1_700_000_000_000;
    return { limiter: createMemoryRateLimiter({ now: () => clock }), advance: async (ms) => void (clock += ms) };
  });
});

const describeRedis = REDIS_URL ? describe : describe.skip;
describeRedis(REDIS_URL ? 'redis rate limiter' : 'redis rate limiter (skipped: REDIS_URL not set)', () => {
  contract(async () => ({
    limiter: await createRedisRateLimiter({ url: REDIS_URL!, keyPrefix: `test:${randomBytes(6).toString('hex')}:` }),
    advance: (ms) => sleep(ms + MARGIN_MS),
  }));

  it('fails fast when Redis cannot be reached', async () => {
    const started = Date.now();
    await expect(createRedisRateLimiter({ url: `redis://127.0.0.1:${await closedLocalPort()}`, connectTimeoutMs: 500 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
