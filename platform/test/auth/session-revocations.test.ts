import { randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import {
  createAccessTokenVerifier,
  createKeySet,
  createMemorySessionRevocations,
  createRedisSessionRevocations,
  generatePrivateJwk,
  issueAccessToken,
  isSessionEnded,
  registerSessionRevocationMetrics,
  removeRedisKeys,
  type SessionRevocations,
} from '@meridian/platform';
import { AggregatorRegistry, Registry } from 'prom-client';
import { closedLocalPort, startTcpProxy } from '../helpers/network';
import { sleep } from '../helpers/settle-within';

const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;

/** Polls `check` every 20 ms for at most `limitMs`; resolves with how long it took, or rejects. */
async function within(limitMs: number, check: () => boolean): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('the session revocation list in memory', () => {
  it('holds a revoked session until its time is up, and only that one', async () => {
    let clock = 1_700_000_000_000;
    const list = createMemorySessionRevocations({ now: () => clock });
    const [ended, other] = [randomUUID(), randomUUID()];
    await list.revoke([ended], 60_000);
    expect([list.isRevoked(ended), list.isRevoked(other)]).toEqual([true, false]);
    expect(list.isCurrent()).toBe(true);
    clock += 59_999;
    expect(list.isRevoked(ended)).toBe(true);
    clock += 1;
    expect(list.isRevoked(ended)).toBe(false);
  });
});

describe('session_revocations_sync_age_seconds', () => {
  it('reports the stalest copy when a clustered server sums its workers\' metrics', async () => {
    const workers = await Promise.all(
      [1_500, 4_000].map(async (ageMs) => {
        const registry = new Registry();
        registerSessionRevocationMetrics(registry, { ...createMemorySessionRevocations(), syncAgeMs: () => ageMs });
        return registry.getMetricsAsJSON();
      }),
    );
    const summed = await AggregatorRegistry.aggregate(workers).metrics();
    expect(summed).toMatch(/^session_revocations_sync_age_seconds 4$/m);
  });
});

describe('the access token verifier with a revocation list', () => {
  const aud = { issuer: 'https://identity.test', audience: 'meridian-api' };

  it('refuses a token of an ended session even once it is cached, and keeps believing the same user’s other session', async () => {
    const keys = await createKeySet([await generatePrivateJwk()]);
    const revocations = createMemorySessionRevocations();
    const verify = createAccessTokenVerifier({ ...aud, keys: createLocalJWKSet(keys.jwks()), revocations });
    const claims = { userId: randomUUID(), roles: ['CUSTOMER' as const], scopes: ['profile'], ttlSeconds: 600 };
    const phone = (await issueAccessToken(keys, aud, { ...claims, sessionId: randomUUID() })).token;
    const browser = (await issueAccessToken(keys, aud, { ...claims, sessionId: randomUUID() })).token;
    const { sessionId } = await verify(phone);
    await verify(browser);

    await revocations.revoke([sessionId], 60_000);
    const refusal = await verify(phone).catch((err: unknown) => err);
    expect(isSessionEnded(refusal)).toBe(true);
    expect(refusal).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' } });
    await expect(verify(browser)).resolves.toMatchObject({ userId: claims.userId });
  });
});

describeRedis(REDIS_URL ? 'the session revocation list in Redis' : 'the session revocation list in Redis (skipped: REDIS_URL not set)', () => {
  const keyPrefix = `test:revocations:${randomBytes(6).toString('hex')}:`;
  const open: SessionRevocations[] = [];
  const list = async (options: { url?: string; staleAfterMs?: number } = {}) => {
    const created = createRedisSessionRevocations({ url: options.url ?? REDIS_URL!, keyPrefix, commandTimeoutMs: 300, staleAfterMs: options.staleAfterMs });
    open.push(created);
    await created.firstSync;
    return created;
  };
  afterAll(async () => {
    for (const created of open) await created.close();
    await removeRedisKeys(REDIS_URL!, keyPrefix);
  });

  it('reaches another process within a second, and one that starts later at once', async () => {
    const [identity, banking] = [await list(), await list()];
    expect([identity.isCurrent(), banking.isCurrent()]).toEqual([true, true]);
    const ended = [randomUUID(), randomUUID()];
    await identity.revoke(ended, 60_000);
    // The writer refuses at once; the other process within its next read.
    expect(ended.map((id) => identity.isRevoked(id))).toEqual([true, true]);
    await within(1_000, () => ended.every((id) => banking.isRevoked(id)));
    expect(banking.isRevoked(randomUUID())).toBe(false);
    const later = await list();
    expect(ended.map((id) => later.isRevoked(id))).toEqual([true, true]);
  });

  it('forgets an entry once no token of its session can still be valid', async () => {
    const [writer, reader] = [await list(), await list()];
    const ended = randomUUID();
    await writer.revoke([ended], 400);
    await within(1_000, () => reader.isRevoked(ended));
    await sleep(450);
    expect([writer.isRevoked(ended), reader.isRevoked(ended)]).toEqual([false, false]);
  });

  it('starts with Redis unreachable: not current, and a revocation is refused rather than lost', async () => {
    const unreachable = await list({ url: `redis://127.0.0.1:${await closedLocalPort()}` });
    expect(unreachable.isCurrent()).toBe(false);
    expect(unreachable.syncAgeMs()).toBe(Number.POSITIVE_INFINITY);
    await expect(unreachable.revoke([randomUUID()], 60_000)).rejects.toThrow();
  });

  it('stops being current a little after Redis is lost, and is current again once Redis answers', async () => {
    const target = new URL(REDIS_URL!);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    try {
      const behind = await list({ url: `redis://127.0.0.1:${proxy.port}`, staleAfterMs: 600 });
      expect(behind.isCurrent()).toBe(true);
      proxy.stall();
      await within(2_000, () => !behind.isCurrent());
      await expect(behind.revoke([randomUUID()], 60_000)).rejects.toThrow();
      proxy.heal();
      await within(3_000, () => behind.isCurrent());
    } finally {
      await proxy.cut();
    }
  });
});
