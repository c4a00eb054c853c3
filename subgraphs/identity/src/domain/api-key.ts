import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode, errors } from '@meridian/platform';
import { DELEGABLE_SCOPES, READ_ONLY_DELEGABLE_SCOPES, SCOPES, type Scope } from './permissions';

/**
 * API keys, Stripe-style: `mk_live_<prefix>_<secret>`. The prefix (16 hex
 * characters) is public and finds the key; the secret is 32 bytes from the
 * CSPRNG in base64url, shown once and stored only as a SHA-256 of the whole key.
 */
export const API_KEY_PREFIX = 'mk_live_';

const PREFIX_LENGTH = 16;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}([0-9a-f]{${PREFIX_LENGTH}})_([A-Za-z0-9_-]{43})$`);

/** How long keys live and how many a customer may hold. */
export interface ApiKeyPolicy {
  /** Lifetime of a key created without `expiresAt`; default 90 days. */
  defaultLifetimeMs: number;
  /** The furthest `expiresAt` may be; default 365 days. */
  maxLifetimeMs: number;
  /** Keys a customer may hold at once (not revoked, not expired); default 20. */
  maxLiveKeys: number;
  /** `lastUsedAt` moves at most this often; default a minute. */
  lastUseResolutionMs: number;
}

export const DEFAULT_API_KEY_POLICY: ApiKeyPolicy = {
  defaultLifetimeMs: 90 * 86_400_000,
  maxLifetimeMs: 365 * 86_400_000,
  maxLiveKeys: 20,
  lastUseResolutionMs: 60_000,
};

/** A new key: the text shown once, its public prefix and the hash kept in its place. */
export function generateApiKey(): { key: string; prefix: string; hash: Buffer } {
  const prefix = randomBytes(PREFIX_LENGTH / 2).toString('hex');
  const key = `${API_KEY_PREFIX}${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** SHA-256 of a whole key: enough for 256 random bits, and a database copy yields no usable key. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** The prefix of a well-formed key, or null: a shape check before the database is asked. */
export function apiKeyPrefixOf(key: string): string | null {
  return SHAPE.exec(key)?.[1] ?? null;
}

/** The prefix as shown to the customer, to recognise a key: `mk_live_<prefix>`. */
export function displayPrefix(prefix: string): string {
  return `${API_KEY_PREFIX}${prefix}`;
}

// Compared against when no key has the prefix, so a miss costs what a wrong secret does.
const DECOY_HASH = hashApiKey(`${API_KEY_PREFIX}${'0'.repeat(PREFIX_LENGTH)}_${'A'.repeat(43)}`);

/** Whether `key` hashes to `stored` (the decoy when null), compared in constant time. */
export function apiKeyMatches(key: string, stored: Buffer | null): boolean {
  const given = hashApiKey(key);
  const against = stored && stored.length === given.length ? stored : DECOY_HASH;
  return timingSafeEqual(given, against) && stored !== null;
}

// Control and format characters (bidi overrides included) have no place in a label shown back.
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cf}]/u;

/** Trims and checks a key's name (1–100 printable characters). Errors: BAD_USER_INPUT (`field: name`). */
export function normaliseApiKeyName(input: string): string {
  const name = input.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length < 1 || name.length > 100 || FORBIDDEN_IN_NAME.test(name)) {
    throw errors.badInput('The name must be 1 to 100 printable characters.', { field: 'name' });
  }
  return name;
}

/**
 * The scopes a new key gets: those asked for, or every read-only delegable
 * scope the caller holds when none are. Each must be a known scope, delegable
 * (a customer's own: never `credentials:write` nor a staff scope) and held by
 * the caller. Answered in the order of {@link SCOPES}.
 * Errors: BAD_USER_INPUT (`reason` UNKNOWN_SCOPE), FORBIDDEN (`reason`
 * SCOPE_NOT_DELEGABLE or SCOPE_NOT_HELD, `scopes` naming them).
 */
export function apiKeyScopes(requested: readonly string[] | null | undefined, held: readonly string[]): Scope[] {
  const asked = requested?.length ? [...new Set(requested)] : READ_ONLY_DELEGABLE_SCOPES.filter((scope) => held.includes(scope));
  const unknown = asked.filter((scope) => !(scope in SCOPES));
  if (unknown.length) throw errors.badInput(`Unknown scopes: ${unknown.join(', ')}.`, { field: 'scopes', reason: 'UNKNOWN_SCOPE', scopes: unknown });
  const notDelegable = asked.filter((scope) => !DELEGABLE_SCOPES.includes(scope as Scope));
  if (notDelegable.length) {
    throw new DomainError(ErrorCode.FORBIDDEN, `An API key can never hold ${notDelegable.join(', ')}: only a customer's own data scopes, never credentials or staff scopes.`, {
      field: 'scopes',
      reason: 'SCOPE_NOT_DELEGABLE',
      scopes: notDelegable,
    });
  }
  const notHeld = asked.filter((scope) => !held.includes(scope));
  if (notHeld.length) {
    throw new DomainError(ErrorCode.FORBIDDEN, `You can only give a key scopes you hold yourself; you do not hold ${notHeld.join(', ')}.`, {
      field: 'scopes',
      reason: 'SCOPE_NOT_HELD',
      scopes: notHeld,
    });
  }
  if (!asked.length) throw new DomainError(ErrorCode.FORBIDDEN, 'You hold no scope an API key could be given.', { field: 'scopes', reason: 'SCOPE_NOT_HELD', scopes: [] });
  return (Object.keys(SCOPES) as Scope[]).filter((scope) => asked.includes(scope));
}

/**
 * When a new key expires: `requested`, or after the default lifetime. It must
 * be in the future and at most the longest lifetime away. Errors: BAD_USER_INPUT (`field: expiresAt`).
 */
export function apiKeyExpiry(requested: Date | null | undefined, policy: ApiKeyPolicy, now: Date): Date {
  if (!requested) return new Date(now.getTime() + policy.defaultLifetimeMs);
  if (Number.isNaN(requested.getTime()) || requested.getTime() <= now.getTime()) {
    throw errors.badInput('expiresAt must be in the future.', { field: 'expiresAt' });
  }
  if (requested.getTime() > now.getTime() + policy.maxLifetimeMs) {
    throw errors.badInput(`expiresAt may be at most ${Math.round(policy.maxLifetimeMs / 86_400_000)} days away.`, { field: 'expiresAt' });
  }
  return requested;
}

/** Whether a key is live, revoked or expired at `now`. */
export type ApiKeyStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED';

/** A key as its owner sees it: never the secret nor its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** `mk_live_<prefix>`, to recognise the key. */
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: ApiKeyStatus;
}

/** The status of a key with these dates at `now`. */
export function apiKeyStatus(key: { revokedAt: Date | null; expiresAt: Date }, now: Date): ApiKeyStatus {
  if (key.revokedAt) return 'REVOKED';
  return key.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'ACTIVE';
}
