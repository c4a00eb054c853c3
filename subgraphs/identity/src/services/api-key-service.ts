import { errors, isUuid, issueAccessToken, uuidv7, type AccessTokenClaims, type KeySet, type TokenAudience } from '@meridian/platform';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ApiKeyEntity, type ApiKeyRow } from '../data/entities/api-key.entity';
import { UserEntity } from '../data/entities/user.entity';
import {
  apiKeyExpiry,
  apiKeyMatches,
  apiKeyPrefixOf,
  apiKeyScopes,
  apiKeyStatus,
  DEFAULT_API_KEY_POLICY,
  displayPrefix,
  generateApiKey,
  normaliseApiKeyName,
  type ApiKeyPolicy,
  type ApiKeyRecord,
} from '../domain/api-key';
import { DELEGABLE_SCOPES, roleScopes } from '../domain/permissions';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { publishRevokedSessions } from './session-revocation';

/** Options for {@link ApiKeyService}. */
export interface ApiKeyServiceOptions {
  /** Identity's access-token signing keys (the active one signs). */
  keys: KeySet;
  audience: TokenAudience;
  /** Lifetime of an access token exchanged for a key, at most the session tokens' (the revocation list keeps ids that long). */
  tokenTtlSeconds: number;
  /** Default {@link DEFAULT_API_KEY_POLICY}. */
  policy?: Partial<ApiKeyPolicy>;
}

/** What a new key is made from; `scopes` and `expiresAt` have defaults. */
export interface NewApiKey {
  name: string;
  scopes?: readonly string[] | null;
  expiresAt?: Date | null;
}

/** A key just made: its record and the key itself, which is never shown again. */
export interface CreatedApiKey {
  apiKey: ApiKeyRecord;
  secret: string;
}

/** A short-lived access token for a key: `sub` its owner, `sid` the key's id, `scope` the key's scopes, `amr` `api_key`. */
export interface ExchangedApiKey {
  accessToken: string;
  expiresAt: Date;
  keyId: string;
  userId: string;
  scopes: string[];
}

/** How a token exchanged for a key says how its bearer authenticated (RFC 8176 leaves room for such values); never a second factor. */
export const API_KEY_AMR = 'api_key';

// One message for a key that is malformed, unknown, wrong, revoked, expired, or whose owner may no longer use it.
const invalidKey = () => errors.unauthenticated('The API key is not valid.');
const noSuchKey = () => errors.notFound('There is no such API key.');

function toRecord(row: ApiKeyRow, now = new Date()): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: displayPrefix(row.prefix),
    scopes: row.scopes,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    status: apiKeyStatus(row, now),
  };
}

/**
 * API keys for a customer's own scripts: made by the customer (scopes a
 * subset of their own, never credentials or staff ones), listed, revoked, and
 * exchanged by the web BFF for short-lived access tokens whose `sid` is the
 * key's id, so a revocation reaches every verifier within a second.
 */
export class ApiKeyService {
  private readonly policy: ApiKeyPolicy;

  constructor(
    private readonly db: DataSource,
    private readonly options: ApiKeyServiceOptions,
  ) {
    this.policy = { ...DEFAULT_API_KEY_POLICY, ...options.policy };
  }

  /**
   * Makes a key for the caller, a customer, with scopes from their token
   * ({@link apiKeyScopes}) and an expiry ({@link apiKeyExpiry}); audited
   * (API_KEY_CREATED). The key is answered once and kept only as a hash.
   * Errors: FORBIDDEN (not a customer; `reason` SCOPE_NOT_DELEGABLE,
   * SCOPE_NOT_HELD), BAD_USER_INPUT (`field` name, scopes, expiresAt),
   * CONFLICT (`reason` API_KEY_LIMIT: too many live keys). Nothing is stored on any.
   */
  async create(caller: AccessTokenClaims, input: NewApiKey, origin: RequestOrigin): Promise<CreatedApiKey> {
    if (!caller.roles.includes('CUSTOMER')) throw errors.forbidden('API keys are for customers’ own data; staff cannot create them.');
    const name = normaliseApiKeyName(input.name);
    const scopes = apiKeyScopes(input.scopes, caller.scopes);
    const now = new Date();
    const expiresAt = apiKeyExpiry(input.expiresAt, this.policy, now);
    return this.db.transaction(async (manager) => {
      // The user's row lock: concurrent creations count live keys one after another.
      const user = await manager.getRepository(UserEntity).findOne({ where: { id: caller.userId }, lock: { mode: 'pessimistic_write' } });
      if (!user || user.status !== 'ACTIVE') throw errors.unauthenticated('This account can no longer be used.');
      const [{ live }] = (await manager.query(
        `SELECT count(*)::int AS live FROM identity.api_keys WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2`,
        [user.id, now],
      )) as { live: number }[];
      if (live >= this.policy.maxLiveKeys) {
        throw errors.conflict(`You already have ${live} API keys; revoke one you no longer use first.`, { reason: 'API_KEY_LIMIT', limit: this.policy.maxLiveKeys });
      }
      const generated = generateApiKey();
      const row: ApiKeyRow = {
        id: uuidv7(),
        userId: user.id,
        name,
        prefix: generated.prefix,
        secretHash: generated.hash,
        scopes,
        createdAt: now,
        expiresAt,
        lastUsedAt: null,
        revokedAt: null,
        revokedReason: null,
      };
      await manager.insert(ApiKeyEntity, row);
      await recordAuditEvent(manager, 'API_KEY_CREATED', user.id, origin, {
        apiKeyId: row.id,
        name,
        prefix: displayPrefix(row.prefix),
        scopes,
        expiresAt: expiresAt.toISOString(),
        sessionId: caller.sessionId,
      });
      return { apiKey: toRecord(row, now), secret: generated.key };
    });
  }

  /** The user's keys, newest first (the 100 most recent), revoked and expired ones included. Throws nothing. */
  async list(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db.getRepository(ApiKeyEntity).find({ where: { userId }, order: { createdAt: 'DESC', id: 'DESC' }, take: 100 });
    const now = new Date();
    return rows.map((row) => toRecord(row, now));
  }

  /**
   * Revokes one of the user's keys: it stops working at once for new
   * exchanges, and its access tokens are refused everywhere within a second
   * (its id goes on the session revocation list in this transaction).
   * Audited (API_KEY_REVOKED). Revoking a revoked key answers it unchanged.
   * Errors: NOT_FOUND (unknown or someone else's, alike), SERVICE_UNAVAILABLE
   * (the revocation list cannot be written; nothing changed).
   */
  async revoke(userId: string, id: string, origin: RequestOrigin): Promise<ApiKeyRecord> {
    if (!isUuid(id)) throw noSuchKey();
    return this.db.transaction(async (manager) => {
      const key = await manager.getRepository(ApiKeyEntity).findOne({ where: { id, userId }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw noSuchKey();
      if (key.revokedAt) return toRecord(key);
      const now = new Date();
      await manager.update(ApiKeyEntity, { id: key.id }, { revokedAt: now, revokedReason: 'REVOKED' });
      await publishRevokedSessions(manager, [key.id]);
      await recordAuditEvent(manager, 'API_KEY_REVOKED', userId, origin, { apiKeyId: key.id, prefix: displayPrefix(key.prefix), reason: 'REVOKED' });
      return toRecord({ ...key, revokedAt: now, revokedReason: 'REVOKED' }, now);
    });
  }

  /**
   * Exchanges a key for a short-lived access token (never past the key's
   * expiry) with the key's scopes, narrowed to what the owner's roles still
   * grant, and `amr` `api_key`, which no step-up accepts. Counts as a use.
   * Errors: UNAUTHENTICATED, one message for every reason.
   */
  async exchange(key: string): Promise<ExchangedApiKey> {
    const prefix = apiKeyPrefixOf(key);
    if (!prefix) throw invalidKey();
    const row = await this.db.getRepository(ApiKeyEntity).findOneBy({ prefix });
    if (!apiKeyMatches(key, row?.secretHash ?? null) || !row) throw invalidKey();
    const now = new Date();
    const secondsLeft = Math.floor((row.expiresAt.getTime() - now.getTime()) / 1000);
    if (row.revokedAt || secondsLeft < 1) throw invalidKey();
    const user = await this.db.getRepository(UserEntity).findOneBy({ id: row.userId });
    if (!user || user.status !== 'ACTIVE' || !user.roles.includes('CUSTOMER')) throw invalidKey();
    // What the owner's roles grant today: a key never outlives a scope its owner lost.
    const granted = new Set(roleScopes(user.roles));
    const scopes = row.scopes.filter((scope) => granted.has(scope as never) && DELEGABLE_SCOPES.includes(scope as never));
    if (!scopes.length) throw invalidKey();
    const access = await issueAccessToken(this.options.keys, this.options.audience, {
      userId: user.id,
      sessionId: row.id,
      roles: user.roles,
      scopes,
      ttlSeconds: Math.min(this.options.tokenTtlSeconds, secondsLeft),
      amr: [API_KEY_AMR],
      authTime: now,
    });
    await this.recordUse([row.id], now);
    return { accessToken: access.token, expiresAt: access.expiresAt, keyId: row.id, userId: user.id, scopes };
  }

  /** Moves `lastUsedAt` of these keys to `at`, each at most once a minute (whatever the number of callers). Throws nothing for unknown ids. */
  async recordUse(ids: readonly string[], at = new Date()): Promise<void> {
    const known = ids.filter(isUuid);
    if (!known.length) return;
    await this.db.query(
      `UPDATE identity.api_keys SET last_used_at = $2
       WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at <= $3)`,
      [known, at, new Date(at.getTime() - this.policy.lastUseResolutionMs)],
    );
  }
}

/**
 * Revokes every live key of a user inside the caller's transaction, their
 * tokens included (on the revocation list before it commits), and audits each
 * (API_KEY_REVOKED with `reason`): for what ends all of a user's credentials —
 * a password reset, a staff lock, a role change. Returns the ids revoked.
 * Errors: SERVICE_UNAVAILABLE (the revocation list cannot be written; nothing changed).
 */
export async function revokeAllApiKeys(manager: EntityManager, userId: string, reason: string, origin: RequestOrigin): Promise<string[]> {
  const live = await manager.getRepository(ApiKeyEntity).find({
    where: { userId, revokedAt: IsNull() },
    order: { id: 'ASC' },
    lock: { mode: 'pessimistic_write' },
  });
  if (!live.length) return [];
  const now = new Date();
  const ids = live.map((key) => key.id);
  await manager.query(`UPDATE identity.api_keys SET revoked_at = $2, revoked_reason = $3 WHERE id = ANY($1::uuid[])`, [ids, now, reason]);
  await publishRevokedSessions(manager, ids);
  for (const key of live) await recordAuditEvent(manager, 'API_KEY_REVOKED', userId, origin, { apiKeyId: key.id, prefix: displayPrefix(key.prefix), reason });
  return ids;
}
