import { uuidv7, type Queryable } from '@meridian/platform';

/** One staff read or decision, as recorded. */
export interface StaffAccess {
  staffUserId: string;
  paymentId?: string | null;
  subjectUserId?: string | null;
  operation: string;
  requestId: string;
}

/** Every staff read of a customer's payments and every staff decision, one row each, written before the data is returned. */
export class StaffAudit {
  constructor(private readonly db: Queryable) {}

  async record(entries: StaffAccess[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO payments.staff_audit (id, staff_user_id, payment_id, subject_user_id, operation, request_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[])`,
      [
        entries.map(() => uuidv7()),
        entries.map((e) => e.staffUserId),
        entries.map((e) => e.paymentId ?? null),
        entries.map((e) => e.subjectUserId ?? null),
        entries.map((e) => e.operation),
        entries.map((e) => e.requestId),
      ],
    );
  }
}
