import { apiKeyExpiry, apiKeyMatches, apiKeyPrefixOf, apiKeyScopes, DEFAULT_API_KEY_POLICY, generateApiKey, hashApiKey } from '../../src/domain/api-key';
import { scopesFor } from '../../src/domain/permissions';

// The rules of an API key that need no database: its shape, its hash, the scopes it may get
// and how long it may live.

const customer = scopesFor(['CUSTOMER']);

describe('an API key', () => {
  it('is mk_live_, a public prefix and 32 random bytes, kept as a SHA-256 that only the whole key matches', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^mk_live_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyPrefixOf(key)).toBe(prefix);
    expect(hash.equals(hashApiKey(key))).toBe(true);
    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(apiKeyMatches(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, hash)).toBe(false);
    expect(apiKeyMatches(key, null)).toBe(false);
    expect(generateApiKey().key).not.toBe(key);
    for (const bad of ['', 'mk_live_', `${key}x`, key.replace('mk_live_', 'mk_test_'), ` ${key}`, key.toUpperCase()]) expect(apiKeyPrefixOf(bad)).toBeNull();
  });

  it('gets the read-only scopes its creator holds by default, and only delegable scopes they hold when asked', () => {
    expect(apiKeyScopes(undefined, customer)).toEqual(['profile:read', 'accounts:read', 'payments:read', 'kyc:read', 'insights:read']);
    expect(apiKeyScopes([], customer)).toEqual(apiKeyScopes(null, customer));
    expect(apiKeyScopes(['insights:write', 'accounts:read'], customer)).toEqual(['accounts:read', 'insights:write']);
    expect(() => apiKeyScopes(['credentials:write'], customer)).toThrow(expect.objectContaining({ code: 'FORBIDDEN', extensions: expect.objectContaining({ reason: 'SCOPE_NOT_DELEGABLE' }) }));
    expect(() => apiKeyScopes(['kyc:review'], scopesFor(['ADMIN']))).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ reason: 'SCOPE_NOT_DELEGABLE' }) }));
    expect(() => apiKeyScopes(['accounts:write'], ['accounts:read'])).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ reason: 'SCOPE_NOT_HELD' }) }));
    expect(() => apiKeyScopes(['everything'], customer)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => apiKeyScopes(undefined, scopesFor(['SUPPORT']).filter((s) => s !== 'profile:read'))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('expires after 90 days by default, and at most a year ahead', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    expect(apiKeyExpiry(undefined, DEFAULT_API_KEY_POLICY, now).toISOString()).toBe('2027-04-01T00:00:00.000Z');
    expect(apiKeyExpiry(new Date('2027-12-31T00:00:00Z'), DEFAULT_API_KEY_POLICY, now).toISOString()).toBe('2027-12-31T00:00:00.000Z');
    expect(() => apiKeyExpiry(new Date('2028-01-03T00:00:00Z'), DEFAULT_API_KEY_POLICY, now)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    expect(() => apiKeyExpiry(now, DEFAULT_API_KEY_POLICY, now)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
