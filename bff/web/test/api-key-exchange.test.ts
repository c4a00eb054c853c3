import { createMemoryKeyValueStore, DomainError } from '@meridian/platform';
import { createApiKeyExchange } from '../src/api-keys/api-key-exchange';

// The web BFF's cache of tokens exchanged for API keys: one exchange per key while its token
// lives (concurrent requests share it), none once the key's id is on the revocation list,
// failed lookups counted per address, and uses reported to identity at most once a minute.

const KEY = `mk_live_${'a'.repeat(16)}_${'S'.repeat(43)}`;

function fakeIdentity(answer: () => { status: number; body: unknown }) {
  const calls: { path: string; body: any }[] = [];
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    calls.push({ path: new URL(String(url)).pathname, body: JSON.parse(String(init?.body ?? 'null')) });
    const { status, body } = new URL(String(url)).pathname.endsWith('/used') ? { status: 204, body: '' } : answer();
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { calls, fetch, exchanges: () => calls.filter((c) => c.path.endsWith('/exchange')).length };
}

function exchangeWith(identity: ReturnType<typeof fakeIdentity>, revoked = new Set<string>(), options: { useReportIntervalMs?: number } = {}) {
  const kv = createMemoryKeyValueStore();
  return createApiKeyExchange({
    identityUrl: 'http://identity.test/graphql',
    issueServiceToken: async () => 'service-token',
    kv,
    revocations: { isRevoked: (id) => revoked.has(id) },
    failedLookupsPerAddress: 2,
    fetch: identity.fetch,
    ...options,
  });
}

const live = (seconds: number) => ({ status: 200, body: { accessToken: `token-${Math.random()}`, expiresAt: new Date(Date.now() + seconds * 1000).toISOString(), keyId: 'key-1' } });

describe('the API-key exchange of the web BFF', () => {
  it('exchanges a key once for concurrent and later requests while its token lives, and again once the key is on the revocation list', async () => {
    const identity = fakeIdentity(() => live(300));
    const revoked = new Set<string>();
    const exchange = exchangeWith(identity, revoked);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => exchange.accessFor(KEY, '192.0.2.1')));
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect((await exchange.accessFor(KEY, '192.0.2.1')).accessToken).toBe(tokens[0].accessToken);
    expect(identity.exchanges()).toBe(1);
    expect(identity.calls[0].body).toEqual({ key: KEY });

    revoked.add('key-1');
    await exchange.accessFor(KEY, '192.0.2.1');
    expect(identity.exchanges()).toBe(2);
  });

  it('keeps no token that expires within the refresh margin', async () => {
    const identity = fakeIdentity(() => live(10));
    const exchange = exchangeWith(identity);
    await exchange.accessFor(KEY, '192.0.2.1');
    await exchange.accessFor(KEY, '192.0.2.1');
    expect(identity.exchanges()).toBe(2);
  });

  it('answers one message for any key identity refuses, and refuses an address past its failed lookups without asking identity', async () => {
    const identity = fakeIdentity(() => ({ status: 401, body: { errors: [{ message: 'The API key is not valid.', extensions: { code: 'UNAUTHENTICATED' } }] } }));
    const exchange = exchangeWith(identity);
    const outcome = (address: string) =>
      exchange.accessFor(KEY, address).then(
        () => 'ANSWERED',
        (err: DomainError) => `${err.code}: ${err.message}`,
      );
    expect(await outcome('192.0.2.7')).toBe('UNAUTHENTICATED: The API key is not valid.');
    expect(await outcome('192.0.2.7')).toBe('UNAUTHENTICATED: The API key is not valid.');
    expect(await outcome('192.0.2.7')).toMatch(/^RATE_LIMITED: Too many invalid API keys/);
    expect(identity.exchanges()).toBe(2);
    expect(await outcome('192.0.2.8')).toBe('UNAUTHENTICATED: The API key is not valid.');
  });

  it('takes a key identity cannot even read (too long) for an invalid one', async () => {
    const identity = fakeIdentity(() => ({ status: 400, body: { errors: [{ message: 'Send {"key": "mk_live_..."}.', extensions: { code: 'BAD_USER_INPUT' } }] } }));
    await expect(exchangeWith(identity).accessFor('x'.repeat(300), '192.0.2.5')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'The API key is not valid.' });
  });

  it('answers SERVICE_UNAVAILABLE when identity cannot answer, without counting it against the address', async () => {
    const identity = fakeIdentity(() => ({ status: 502, body: 'bad gateway' }));
    const exchange = exchangeWith(identity);
    for (let i = 0; i < 3; i++) await expect(exchange.accessFor(KEY, '192.0.2.9')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(identity.exchanges()).toBe(3);
  });

  it('reports a cached key’s use to identity at most once per interval', async () => {
    const identity = fakeIdentity(() => live(300));
    const exchange = exchangeWith(identity, new Set(), { useReportIntervalMs: 200 });
    await exchange.accessFor(KEY, '192.0.2.1');
    await exchange.accessFor(KEY, '192.0.2.1');
    const reports = () => identity.calls.filter((c) => c.path.endsWith('/used'));
    // The exchange itself was a use.
    expect(reports()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await exchange.accessFor(KEY, '192.0.2.1');
    await exchange.accessFor(KEY, '192.0.2.1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reports()).toEqual([{ path: '/internal/identity/api-keys/used', body: { keyIds: ['key-1'] } }]);
  });
});
