import { uuidv7, type ChainedAuditLog, type Queryable } from '@meridian/platform';

/** One staff read or decision, as recorded. */
export interface StaffAccess {
  staffUserId: string;
  paymentId?: string | null;
  subjectUserId?: string | null;
  operation: string;
  requestId: string;
  /**
   * Why, as staff gave it (checked by the caller). None only for reads under
   * identity's `customer(id, reason)` lookup, whose entry under the same
   * request id holds it.
   */
  reason?: string | null;
}

/**
 * payments.staff_audit as a chained log: an entry's hash covers the previous
 * hash and the canonical JSON of everything it records.
 */
export const PAYMENTS_STAFF_AUDIT_LOG: ChainedAuditLog = {
  table: 'payments.staff_audit',
  service: 'payments',
  idType: 'uuid',
  timeColumn: 'at',
  contentColumns: 'staff_user_id, payment_id, subject_user_id, operation, request_id, reason',
  content: (row, seq) => ({
    id: row.id,
    seq,
    at: row.at,
    staffUserId: row.staff_user_id,
    paymentId: row.payment_id ?? null,
    subjectUserId: row.subject_user_id ?? null,
    operation: row.operation,
    requestId: row.request_id,
    reason: row.reason ?? null,
  }),
};

/**
 * Every staff read of a customer's payments and every staff decision, one row
 * each, written before the data is returned. Append-only (a trigger refuses
 * updates, deletes and truncation) and hash-chained by payments' audit sealer
 * once committed.
 */
export class StaffAudit {
  constructor(private readonly db: Queryable) {}

  async record(entries: StaffAccess[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO payments.staff_audit (id, staff_user_id, payment_id, subject_user_id, operation, request_id, reason)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[])`,
      [
        entries.map(() => uuidv7()),
        entries.map((e) => e.staffUserId),
        entries.map((e) => e.paymentId ?? null),
        entries.map((e) => e.subjectUserId ?? null),
        entries.map((e) => e.operation),
        entries.map((e) => e.requestId),
        entries.map((e) => e.reason ?? null),
      ],
    );
  }
}
