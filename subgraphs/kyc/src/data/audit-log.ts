import type { AccessTokenClaims } from '@meridian/platform';
import type { Queryable } from '@meridian/platform';

/** What staff did: read a queue, a case, personal data; decided a case. */
export type AuditAction = 'REVIEW_QUEUE_READ' | 'CASE_READ' | 'PERSONAL_DATA_READ' | 'DOCUMENT_READ' | 'CASE_DECIDED';

/** One audit entry. */
export interface AuditEntry {
  actor: AccessTokenClaims;
  action: AuditAction;
  subjectUserId?: string | null;
  caseId?: string | null;
  /** The personal-data fields shown. */
  fields?: string[];
  /** Whether they were shown unmasked. */
  revealed?: boolean;
  details?: Record<string, unknown>;
}

/** `kyc.audit_log`: append-only (a trigger refuses updates, deletes and truncation). */
export class AuditLog {
  /** Appends an entry with the caller's connection or transaction. */
  async record(q: Queryable, entry: AuditEntry): Promise<void> {
    await q.query(
      `INSERT INTO kyc.audit_log (actor_id, actor_roles, action, subject_user_id, case_id, fields, revealed, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        entry.actor.userId,
        entry.actor.roles,
        entry.action,
        entry.subjectUserId ?? null,
        entry.caseId ?? null,
        entry.fields ?? [],
        entry.revealed ?? false,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }
}
