import type { DataSource } from 'typeorm';

/** One staff read of a customer's account. */
export interface AccessAuditEntry {
  staffUserId: string;
  accountId: string;
  /** What was read, e.g. `Query.account` or `User.accounts`. */
  operation: string;
  requestId: string | null;
}

/** Writes staff reads to `banking.access_audit` (append-only: a trigger refuses UPDATE, DELETE and TRUNCATE). */
export class AccessAuditLog {
  constructor(private readonly db: DataSource) {}

  /** Records every entry in one statement; the read fails if this does, so no staff read goes unrecorded. */
  async record(entries: readonly AccessAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO banking.access_audit (staff_user_id, account_id, operation, request_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
      [
        entries.map((e) => e.staffUserId),
        entries.map((e) => e.accountId),
        entries.map((e) => e.operation),
        entries.map((e) => e.requestId),
      ],
    );
  }
}
