import { localKeyResolver, type AccessTokenVerifierOptions, type KeySet, type SigningKey, type SigningKeyAge } from '@meridian/platform';
import type { DataSource } from 'typeorm';

/** A public JSON Web Key, as the platform's jose spells it. */
type JWK = SigningKey['publicJwk'];
/** A key lookup for the platform's verifier. */
type JWTVerifyGetKey = AccessTokenVerifierOptions['keys'];

/** Options for {@link loadAccessTokenKeys}. */
export interface AccessTokenKeysOptions {
  /** How long after a key was first published it starts signing, in ms (IDENTITY_KEY_ACTIVATION_SECONDS). */
  activationDelayMs: number;
  /** How long a token can be believed after it was signed, in ms: the access-token lifetime plus clock tolerance. */
  tokenLifetimeMs: number;
  /** Clock, for tests; default Date.now. */
  now?: () => number;
}

/** Identity's access-token keys as they change over time: which one signs, and which are published. */
export interface AccessTokenKeys {
  /** Signs access tokens; its `active` is the key that signs at this moment. */
  signing: KeySet;
  /** The JWKS to publish at this moment. */
  jwks(): { keys: JWK[] };
  /** Key lookup for identity's own verifier, following {@link jwks}. */
  resolver: JWTVerifyGetKey;
  /** The configured keys' ages for /metrics: made at their `iat`, else when first published; which one signs now. */
  ages(): SigningKeyAge[];
}

interface PublishedKey {
  kid: string;
  publicJwk: JWK;
  publishedAt: number;
}

/**
 * Rotation without a failed request. `configured` is IDENTITY_SIGNING_KEYS,
 * newest first; the first time identity serves a key, `identity.signing_keys`
 * records when (the database's clock, so every replica agrees). Then:
 *
 * - every configured key is published at once, but a key signs only once it
 *   has been published for `activationDelayMs`: longer than a rollout of
 *   identity and than a verifier's JWKS refetch cooldown (30 s), so whoever
 *   meets its `kid` can fetch a JWKS that has it. The newest key past its delay
 *   signs; while none is (a first deployment), the oldest configured one does;
 * - a key taken out of the configuration stays published, from what the table
 *   recorded, until every token it can have signed has expired: tokens of a
 *   key older than the signing one lived at most `tokenLifetimeMs` past the
 *   signing key's activation; a newer one (a rotation undone) is kept
 *   `tokenLifetimeMs` past this start.
 */
export async function loadAccessTokenKeys(db: DataSource, configured: KeySet, options: AccessTokenKeysOptions): Promise<AccessTokenKeys> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  for (const key of configured.keys) {
    await db.query(`INSERT INTO identity.signing_keys (kid, public_jwk) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING`, [key.kid, JSON.stringify(key.publicJwk)]);
  }
  const rows: { kid: string; public_jwk: JWK | string; published_at: Date | string }[] = await db.query(
    `SELECT kid, public_jwk, published_at FROM identity.signing_keys ORDER BY published_at DESC, kid`,
  );
  const published = new Map<string, PublishedKey>(
    rows.map((row) => [
      row.kid,
      {
        kid: row.kid,
        publicJwk: typeof row.public_jwk === 'string' ? (JSON.parse(row.public_jwk) as JWK) : row.public_jwk,
        publishedAt: new Date(row.published_at).getTime(),
      },
    ]),
  );
  const configuredKids = new Set(configured.keys.map((key) => key.kid));
  const retired = [...published.values()].filter((key) => !configuredKids.has(key.kid));
  const activeFrom = (kid: string) => published.get(kid)!.publishedAt + options.activationDelayMs;

  /** The key that signs at `at`, and since when (null: the fallback, since an unknown time). */
  function signingAt(at: number): { key: SigningKey; since: number | null } {
    const ready = configured.keys.find((key) => activeFrom(key.kid) <= at);
    return ready ? { key: ready, since: activeFrom(ready.kid) } : { key: configured.keys[configured.keys.length - 1], since: null };
  }

  function jwks(): { keys: JWK[] } {
    const at = now();
    const { key: active, since } = signingAt(at);
    const activePublishedAt = published.get(active.kid)!.publishedAt;
    const lingering = retired.filter((key) => {
      // An older key stopped signing when the active one started; a newer one (or any, under the fallback) at the latest when this process started.
      const stoppedBy = key.publishedAt <= activePublishedAt && since !== null ? since : Math.max(startedAt, since ?? startedAt);
      return at < stoppedBy + options.tokenLifetimeMs;
    });
    return { keys: [...configured.keys.map((key) => key.publicJwk), ...lingering.map((key) => key.publicJwk)] };
  }

  // Identity's own verifier reads the same published set; rebuilt only when the set of kids changes.
  let resolverFor = '';
  let current: JWTVerifyGetKey = localKeyResolver(jwks());
  const resolver: JWTVerifyGetKey = (header, token) => {
    const set = jwks();
    const kids = set.keys.map((key) => key.kid).join(',');
    if (kids !== resolverFor) {
      resolverFor = kids;
      current = localKeyResolver(set);
    }
    return current(header, token);
  };

  const signing: KeySet = {
    get active() {
      return signingAt(now()).key;
    },
    keys: configured.keys,
    jwks,
  };
  const ages = (): SigningKeyAge[] => {
    const active = signing.active.kid;
    return configured.keys.map((key) => ({ kid: key.kid, createdAt: key.createdAt ?? new Date(published.get(key.kid)!.publishedAt), active: key.kid === active }));
  };
  return { signing, jwks, resolver, ages };
}
