import { EntitySchema } from 'typeorm';

/**
 * A row of identity.email_verifications: a link that proves the user receives
 * mail at `email` — their address, or the new one of an email change.
 */
export interface EmailVerificationRow {
  id: string;
  userId: string;
  /** The address the link was sent to, as identity compares addresses. */
  email: string;
  /** SHA-256 of the token; the token itself is only in the message. */
  tokenHash: Buffer;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** Set when a newer link replaced this one, or the address changed. */
  voidedAt: Date | null;
}

export const EmailVerificationEntity = new EntitySchema<EmailVerificationRow>({
  name: 'EmailVerification',
  tableName: 'email_verifications',
  columns: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid', name: 'user_id' },
    email: { type: 'text' },
    tokenHash: { type: 'bytea', name: 'token_hash' },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    usedAt: { type: 'timestamptz', name: 'used_at', nullable: true },
    voidedAt: { type: 'timestamptz', name: 'voided_at', nullable: true },
  },
});
