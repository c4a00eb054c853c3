import { EntitySchema } from 'typeorm';

/**
 * A row of identity.api_keys: a customer's key for their own scripts. Its id is
 * the `sid` of the access tokens exchanged for it, so revoking it puts that id
 * on the session revocation list. The key itself is kept only as a SHA-256.
 */
export interface ApiKeyRow {
  id: string;
  userId: string;
  name: string;
  /** The public part of the key (16 hex characters) that finds it. */
  prefix: string;
  /** SHA-256 of the whole key. */
  secretHash: Buffer;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date;
  /** The last exchange or reported use, moved at most once a minute. */
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Why it was revoked: `REVOKED` by its owner, or what ended every credential of the user (a password reset, a staff lock, a role change). */
  revokedReason: string | null;
}

export const ApiKeyEntity = new EntitySchema<ApiKeyRow>({
  name: 'ApiKey',
  tableName: 'api_keys',
  columns: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid', name: 'user_id' },
    name: { type: 'text' },
    prefix: { type: 'text' },
    secretHash: { type: 'bytea', name: 'secret_hash' },
    scopes: { type: 'text', array: true },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    lastUsedAt: { type: 'timestamptz', name: 'last_used_at', nullable: true },
    revokedAt: { type: 'timestamptz', name: 'revoked_at', nullable: true },
    revokedReason: { type: 'text', name: 'revoked_reason', nullable: true },
  },
});
