import { createHash } from 'node:crypto';
import {
  createServiceClient,
  DomainError,
  ErrorCode,
  errors,
  type KeyValueStore,
  type Logger,
  type ServiceClient,
  type ServiceTokenIssuer,
  type SessionRevocations,
} from '@meridian/platform';

/** Options for {@link createApiKeyExchange}. */
export interface ApiKeyExchangeOptions {
  /** Identity's GraphQL URL (IDENTITY_URL); its API-key routes are beside it. */
  identityUrl: string;
  /** Signs the web BFF's service tokens (identity's IDENTITY_API_KEY_CALLERS must name it). */
  issueServiceToken: ServiceTokenIssuer;
  /** Counts failed lookups per client address (Redis, or memory when embedded). */
  kv: KeyValueStore;
  /** The list of ended sessions: a revoked key's id is on it, and its cached token is dropped. */
  revocations: Pick<SessionRevocations, 'isRevoked'>;
  logger?: Logger;
  /** Failed lookups an address may make per window before it is refused; default 20. */
  failedLookupsPerAddress?: number;
  /** That window, in ms; default 15 minutes. */
  failedLookupWindowMs?: number;
  /** A cached token is exchanged again when it has less than this left; default 30 s. */
  refreshMarginMs?: number;
  /** How often each key's use is reported to identity (`lastUsedAt`), at most; default a minute. */
  useReportIntervalMs?: number;
  /** How calls reach identity; tests pass an in-process one. Default undici. */
  fetch?: typeof fetch;
}

/** An access token exchanged for an API key: `sid` is the key's id. */
export interface ApiKeyAccess {
  accessToken: string;
  keyId: string;
}

interface Exchanged {
  accessToken: string;
  expiresAt: string;
  keyId: string;
}

interface CachedToken extends ApiKeyAccess {
  /** When to exchange again: shortly before the token expires. */
  refreshAtMs: number;
}

/** Tokens kept at most; the oldest go first. */
const MAX_CACHED = 10_000;

// One message for a key that is malformed, unknown, revoked or expired: identity's, repeated.
const invalidKey = () => errors.unauthenticated('The API key is not valid.');

/**
 * The web BFF's side of API keys: a key presented as `Authorization: ApiKey
 * <key>` is exchanged with identity (its internal route, with this BFF's
 * service token) for a short-lived access token, which is cached by the key's
 * hash until shortly before it expires, dropped at once when the key's id is
 * on the revocation list, and exchanged once for concurrent requests. Failed
 * lookups are counted per client address and refused past the limit. Each
 * key's use is reported to identity at most once a minute.
 */
export function createApiKeyExchange(options: ApiKeyExchangeOptions) {
  const identity: ServiceClient = createServiceClient({
    baseUrl: new URL(options.identityUrl).origin,
    audience: 'identity',
    serviceToken: options.issueServiceToken,
    fetch: options.fetch,
  });
  const failedLookups = options.failedLookupsPerAddress ?? 20;
  const failedWindowMs = options.failedLookupWindowMs ?? 15 * 60_000;
  const marginMs = options.refreshMarginMs ?? 30_000;
  const reportEveryMs = options.useReportIntervalMs ?? 60_000;
  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<ApiKeyAccess>>();
  const reported = new Map<string, number>();

  const failureKey = (address: string) => `api-key-failures:${address}`;

  function remember(hash: string, token: CachedToken): void {
    cache.delete(hash);
    cache.set(hash, token);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }

  /** Tells identity the key was used, at most once per interval; failures only cost the timestamp. */
  function reportUse(keyId: string, now: number): void {
    if (now - (reported.get(keyId) ?? 0) < reportEveryMs) return;
    reported.set(keyId, now);
    if (reported.size > MAX_CACHED) reported.delete(reported.keys().next().value!);
    identity.request('POST', '/internal/identity/api-keys/used', { keyIds: [keyId] }).catch((err: Error) => {
      options.logger?.warn({ err: err.message }, 'could not report an API key use');
    });
  }

  /** Refuses an address past its failed lookups. Errors: RATE_LIMITED, SERVICE_UNAVAILABLE (the count cannot be read). */
  async function assertMayLookUp(address: string): Promise<void> {
    let failures: number;
    let ttl: number | null;
    try {
      failures = Number((await options.kv.get(failureKey(address))) ?? 0);
      ttl = failures >= failedLookups ? await options.kv.ttl(failureKey(address)) : null;
    } catch (err) {
      options.logger?.error({ err: (err as Error).message }, 'API key lookup limit unreadable; refusing');
      throw errors.unavailable('API keys cannot be checked right now. Try again shortly.');
    }
    if (failures < failedLookups) return;
    const retryAfter = Math.max(1, Math.ceil((ttl ?? failedWindowMs) / 1000));
    throw new DomainError(ErrorCode.RATE_LIMITED, `Too many invalid API keys from this address. Try again in ${retryAfter} s.`, { retryAfter });
  }

  async function lookUp(key: string, hash: string, address: string): Promise<ApiKeyAccess> {
    let exchanged: Exchanged;
    try {
      exchanged = await identity.request<Exchanged>('POST', '/internal/identity/api-keys/exchange', { key });
    } catch (err) {
      // Identity refuses every invalid key alike, and one too long to read as malformed input.
      if (err instanceof DomainError && (err.code === ErrorCode.UNAUTHENTICATED || err.code === ErrorCode.BAD_USER_INPUT)) {
        await options.kv.incrementWindow(failureKey(address), failedWindowMs).catch((e: Error) => {
          options.logger?.warn({ err: e.message }, 'could not count a failed API key lookup');
        });
        throw invalidKey();
      }
      options.logger?.error({ err: (err as Error).message }, 'API key exchange failed');
      throw errors.unavailable('API keys cannot be checked right now. Try again shortly.');
    }
    const now = Date.now();
    const access = { accessToken: exchanged.accessToken, keyId: exchanged.keyId };
    const refreshAtMs = Date.parse(exchanged.expiresAt) - marginMs;
    // A token too short-lived to keep (a key about to expire) serves this request only.
    if (refreshAtMs > now) remember(hash, { ...access, refreshAtMs });
    // The exchange itself moved lastUsedAt.
    reported.set(access.keyId, now);
    return access;
  }

  return {
    /**
     * An access token for `key`, presented from `address`.
     * Errors: UNAUTHENTICATED (one message for every invalid key), RATE_LIMITED
     * (too many failed lookups from the address; `retryAfter`), SERVICE_UNAVAILABLE.
     */
    async accessFor(key: string, address: string): Promise<ApiKeyAccess> {
      const hash = createHash('sha256').update(key).digest('hex');
      const now = Date.now();
      const cached = cache.get(hash);
      if (cached && options.revocations.isRevoked(cached.keyId)) cache.delete(hash);
      else if (cached && cached.refreshAtMs > now) {
        reportUse(cached.keyId, now);
        return { accessToken: cached.accessToken, keyId: cached.keyId };
      }
      // Concurrent requests with one key share one exchange.
      const pending = inFlight.get(hash);
      if (pending) return pending;
      const lookup = assertMayLookUp(address)
        .then(() => lookUp(key, hash, address))
        .finally(() => inFlight.delete(hash));
      inFlight.set(hash, lookup);
      return lookup;
    },
  };
}

export type ApiKeyExchange = ReturnType<typeof createApiKeyExchange>;
