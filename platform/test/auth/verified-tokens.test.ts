import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { createAccessTokenVerifier, createKeySet, createMemorySessionRevocations, createVerifiedTokenCache, DomainError, generatePrivateJwk, issueAccessToken, VERIFIED_TOKEN_TTL_MS } from '@meridian/platform';

const aud = { issuer: 'https://identity.test', audience: 'meridian-api' };
const user = { userId: 'user-1', sessionId: 'sess-1', roles: ['CUSTOMER' as const], scopes: ['profile'] };

describe('the verified-token cache', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps a token until it expires, never longer than a minute, and forgets the least recently used beyond its size', () => {
    jest.useFakeTimers({ now: new Date('2026-12-07T10:00:00Z') });
    const cache = createVerifiedTokenCache<{ n: number }>(2);
    cache.set('soon', { n: 1 }, Date.now() + 10_000);
    cache.set('late', { n: 2 }, Date.now() + 3_600_000);
    cache.set('gone', { n: 3 }, Date.now() - 1);
    expect(cache.get('gone')).toBeUndefined();
    jest.advanceTimersByTime(9_999);
    expect(cache.get('soon')).toEqual({ n: 1 });
    jest.advanceTimersByTime(2);
    expect(cache.get('soon')).toBeUndefined();
    expect(cache.get('late')).toEqual({ n: 2 });
    jest.advanceTimersByTime(VERIFIED_TOKEN_TTL_MS);
    expect(cache.get('late')).toBeUndefined();

    cache.set('a', { n: 1 }, Date.now() + 30_000);
    cache.set('b', { n: 2 }, Date.now() + 30_000);
    cache.get('a');
    cache.set('c', { n: 3 }, Date.now() + 30_000);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([{ n: 1 }, undefined, { n: 3 }]);
  });
});

describe('the access token verifier with its cache', () => {
  it('checks the signature of a token once, answers the same frozen claims after, and still refuses any other text', async () => {
    const keys = await createKeySet([await generatePrivateJwk()]);
    const jwks = createLocalJWKSet(keys.jwks());
    let lookups = 0;
    const counting: JWTVerifyGetKey = (header, token) => {
      lookups += 1;
      return jwks(header, token);
    };
    const verify = createAccessTokenVerifier({ ...aud, keys: counting, revocations: createMemorySessionRevocations() });
    const { token } = await issueAccessToken(keys, aud, { ...user, ttlSeconds: 600 });
    const first = await verify(token);
    const again = await verify(token);
    expect(again).toBe(first);
    expect(lookups).toBe(1);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
    // One character off is a different text: verified (and refused) from scratch.
    // The second-to-last character is replaced by one it is not (the last carries unused bits).
    const tampered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.slice(-1)}`;
    await expect(verify(tampered)).rejects.toBeInstanceOf(DomainError);
    expect(lookups).toBe(2);
  });

  it('stops believing a cached token once it expires', async () => {
    const keys = await createKeySet([await generatePrivateJwk()]);
    const verify = createAccessTokenVerifier({ ...aud, keys: createLocalJWKSet(keys.jwks()), clockToleranceSeconds: 0, revocations: createMemorySessionRevocations() });
    // Expiry is counted in whole seconds: three leave at least two for the first check on a loaded machine.
    const { token, expiresAt } = await issueAccessToken(keys, aud, { ...user, ttlSeconds: 3 });
    await expect(verify(token)).resolves.toMatchObject({ userId: 'user-1' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now()) + 50));
    await expect(verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
