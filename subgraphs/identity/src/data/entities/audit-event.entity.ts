import { EntitySchema } from 'typeorm';

/** Security events identity records; the table refuses updates and deletes. */
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
  | 'LOGGED_OUT';

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
  },
});
