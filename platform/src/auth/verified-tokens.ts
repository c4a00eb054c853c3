import { LRUCache } from 'lru-cache';

/** How long a verified token is believed without checking its signature again: a key withdrawn from a JWKS stops working within this. */
export const VERIFIED_TOKEN_TTL_MS = 60_000;

/**
 * What a verifier already checked, by the exact token text: the same token
 * (a caller reuses its service token for most of a minute; an app sends its
 * access token on every request) is answered from memory until it expires or
 * for {@link VERIFIED_TOKEN_TTL_MS}, whichever comes first, instead of paying
 * for an ES256 verification each time. Only verified tokens are kept, at most
 * `max`, least recently used dropped first.
 */
export function createVerifiedTokenCache<T extends object>(max = 10_000) {
  // Ages by the wall clock, as token expiry does.
  const cache = new LRUCache<string, T>({ max, ttlAutopurge: false, perf: Date });
  return {
    get(token: string): T | undefined {
      return cache.get(token);
    },
    /** Keeps `claims` for `token` until `validUntilMs` (epoch ms) or the TTL. */
    set(token: string, claims: T, validUntilMs: number): void {
      const ttl = Math.min(validUntilMs - Date.now(), VERIFIED_TOKEN_TTL_MS);
      if (ttl > 0) cache.set(token, claims, { ttl });
    },
  };
}
