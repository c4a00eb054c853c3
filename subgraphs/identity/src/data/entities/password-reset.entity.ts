import { EntitySchema } from 'typeorm';

/** A row of identity.password_resets: one request, usable once by its link or its typed code. */
export interface PasswordResetRow {
  id: string;
  userId: string;
  /** SHA-256 of the link's token. */
  tokenHash: Buffer;
  /** SHA-256 of the row id and the typed code (see `hashResetCode`). */
  codeHash: Buffer;
  /** Wrong codes so far; at the limit the reset is void. */
  failedAttempts: number;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** Set when a newer request replaced it, or too many wrong codes were tried. */
  voidedAt: Date | null;
}

export const PasswordResetEntity = new EntitySchema<PasswordResetRow>({
  name: 'PasswordReset',
  tableName: 'password_resets',
  columns: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid', name: 'user_id' },
    tokenHash: { type: 'bytea', name: 'token_hash' },
    codeHash: { type: 'bytea', name: 'code_hash' },
    failedAttempts: { type: 'integer', name: 'failed_attempts' },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    usedAt: { type: 'timestamptz', name: 'used_at', nullable: true },
    voidedAt: { type: 'timestamptz', name: 'voided_at', nullable: true },
  },
});
