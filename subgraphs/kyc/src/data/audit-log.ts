import type { AccessTokenClaims, ChainedAuditLog, Queryable } from '@meridian/platform';

/** What staff did: read a queue, a case, personal data; decided a case. */
export type AuditAction = 'REVIEW_QUEUE_READ' | 'CASE_READ' | 'PERSONAL_DATA_READ' | 'DOCUMENT_READ' | 'CASE_DECIDED';

/** One audit entry. */
export interface AuditEntry {
  actor: AccessTokenClaims;
  action: AuditAction;
  /** Why staff read (or, for a decision, why they decided): checked by the caller, 3 to 500 characters. */
  reason: string;
  /** The request the read came in, as every subgraph records it. */
  requestId: string;
  subjectUserId?: string | null;
  caseId?: string | null;
  /** The personal-data fields shown. */
  fields?: string[];
  /** Whether they were shown unmasked. */
  revealed?: boolean;
  details?: Record<string, unknown>;
}

/**
 * kyc.audit_log as a chained log: an entry's hash covers the previous hash
 * and the canonical JSON of everything it records.
 */
export const KYC_AUDIT_LOG: ChainedAuditLog = {
  table: 'kyc.audit_log',
  service: 'kyc',
  idType: 'bigint',
  timeColumn: 'at',
  contentColumns: 'actor_id, actor_roles, action, subject_user_id, case_id, fields, revealed, details, reason, request_id',
  content: (row, seq) => ({
    id: String(row.id),
    seq,
    at: row.at,
    actorId: row.actor_id,
    actorRoles: row.actor_roles,
    action: row.action,
    subjectUserId: row.subject_user_id ?? null,
    caseId: row.case_id ?? null,
    fields: row.fields,
    revealed: row.revealed,
    details: row.details ?? {},
    reason: row.reason ?? null,
    requestId: row.request_id ?? null,
  }),
};

/**
 * `kyc.audit_log`: append-only (a trigger refuses updates, deletes and
 * truncation) and hash-chained by KYC's audit sealer once committed.
 */
export class AuditLog {
  /** Appends an entry with the caller's connection or transaction. */
  async record(q: Queryable, entry: AuditEntry): Promise<void> {
    await q.query(
      `INSERT INTO kyc.audit_log (actor_id, actor_roles, action, subject_user_id, case_id, fields, revealed, details, reason, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
      [
        entry.actor.userId,
        entry.actor.roles,
        entry.action,
        entry.subjectUserId ?? null,
        entry.caseId ?? null,
        entry.fields ?? [],
        entry.revealed ?? false,
        JSON.stringify(entry.details ?? {}),
        entry.reason,
        entry.requestId,
      ],
    );
  }
}
