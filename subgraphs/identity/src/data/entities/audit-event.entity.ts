import { EntitySchema } from 'typeorm';

/** Security events identity records; the table refuses updates and deletes, and its entries are hash-chained. */
export type AuditEventType =
  | 'REGISTERED'
  | 'LOGIN_SUCCEEDED'
  | 'LOGIN_FAILED'
  | 'LOGIN_THROTTLED'
  | 'SIGN_IN_LOCKED'
  | 'SIGN_IN_UNLOCKED'
  | 'SESSION_REFRESHED'
  | 'REFRESH_TOKEN_REUSED'
  | 'REFRESH_DEVICE_MISMATCH'
  | 'SESSION_REVOKED'
  | 'LOGGED_OUT'
  | 'STAFF_CREATED'
  | 'ROLES_CHANGED'
  | 'USER_LOCKED'
  | 'USER_UNLOCKED'
  | 'STAFF_READ'
  | 'EMAIL_VERIFICATION_SENT'
  | 'EMAIL_VERIFIED'
  | 'EMAIL_CHANGE_REQUESTED'
  | 'EMAIL_CHANGED'
  | 'PASSWORD_RESET_REQUESTED'
  | 'PASSWORD_RESET_CODE_FAILED'
  | 'PASSWORD_RESET'
  | 'REAUTHENTICATION_FAILED'
  | 'PASSWORD_CHANGED'
  | 'REGISTRATION_DUPLICATE'
  | 'MFA_ENROLMENT_STARTED'
  | 'MFA_ENROLLED'
  | 'MFA_DISABLED'
  | 'RECOVERY_CODES_REGENERATED'
  | 'RECOVERY_CODE_USED'
  | 'MFA_CHALLENGE_STARTED'
  | 'MFA_CODE_SENT'
  | 'MFA_CHALLENGE_FAILED'
  | 'MFA_SIGN_IN'
  | 'STEP_UP'
  | 'API_KEY_CREATED'
  | 'API_KEY_REVOKED';

/** A row of identity.audit_events. */
export interface AuditEventRow {
  id: string;
  occurredAt: Date;
  type: AuditEventType;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  /** Place in the hash chain (1, 2, …, no gaps); null until the sealer chains the entry. */
  seq?: string | null;
  /** The hash of the entry at seq − 1 (64 zeros before the first). */
  prevHash?: string | null;
  /** SHA-256 over prevHash and the entry's canonical content, hex. */
  hash?: string | null;
}

export const AuditEventEntity = new EntitySchema<AuditEventRow>({
  name: 'AuditEvent',
  tableName: 'audit_events',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    occurredAt: { type: 'timestamptz', name: 'occurred_at' },
    type: { type: 'text' },
    userId: { type: 'uuid', name: 'user_id', nullable: true },
    ip: { type: 'text', nullable: true },
    userAgent: { type: 'text', name: 'user_agent', nullable: true },
    requestId: { type: 'text', name: 'request_id', nullable: true },
    details: { type: 'jsonb' },
    seq: { type: 'bigint', nullable: true },
    prevHash: { type: 'text', name: 'prev_hash', nullable: true },
    hash: { type: 'text', nullable: true },
  },
});
