import { EntitySchema } from 'typeorm';

/** A row of identity.refresh_tokens: one token of a session (its family, `identity.sessions`); only its hash is stored. */
export interface RefreshTokenRow {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export const RefreshTokenEntity = new EntitySchema<RefreshTokenRow>({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  columns: {
    id: { type: 'uuid', primary: true },
    familyId: { type: 'uuid', name: 'family_id' },
    userId: { type: 'uuid', name: 'user_id' },
    tokenHash: { type: 'text', name: 'token_hash', unique: true },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    usedAt: { type: 'timestamptz', name: 'used_at', nullable: true },
    revokedAt: { type: 'timestamptz', name: 'revoked_at', nullable: true },
  },
});
