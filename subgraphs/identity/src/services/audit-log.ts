
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { AuditEventEntity, type AuditEventRow, type AuditEventType } from '../data/entities/audit-event.entity';

/** Who did something and from where, taken from the request. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
  requestId: string;
}

/**
 * Appends one event to identity.audit_events inside the caller's transaction.
 * It only inserts, taking no lock; once committed, the audit sealer gives the
 * entry its place in the hash chain (services/audit-chain.ts).
 */
export async function recordAuditEvent(
  manager: EntityManager,
  type: AuditEventType,
  userId: string | null,
  origin: RequestOrigin,
  details: Record<string, unknown> = {},
): Promise<void> {
  await manager.insert(AuditEventEntity, {
    occurredAt: new Date(),
    type,
    userId,
    ip: origin.ip || null,
    userAgent: origin.userAgent || null,
    requestId: origin.requestId,
    details,
  } as QueryDeepPartialEntity<AuditEventRow>);
}
