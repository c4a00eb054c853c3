import type { ChainedAuditLog } from '@meridian/platform';
import type { DataSource } from 'typeorm';

/** One staff read of a customer's account. */
export interface AccessAuditEntry {
  staffUserId: string;
  accountId: string;
  /** What was read, e.g. `Query.account` or `User.accounts`. */
  operation: string;
  /**
   * The request the read came in. Staff reach accounts only under a read that
   * asked them why (identity's `customer(id, reason)`, payments' `payment(id,
   * reason)`…), whose entry holds the reason under the same request id.
   */
  requestId: string | null;
}

/**
 * banking.access_audit as a chained log: an entry's hash covers the previous
 * hash and the canonical JSON of everything it records.
 */
export const BANKING_ACCESS_AUDIT_LOG: ChainedAuditLog = {
  table: 'banking.access_audit',
  service: 'banking',
  idType: 'bigint',
  timeColumn: 'occurred_at',
  contentColumns: 'staff_user_id, account_id, operation, request_id',
  content: (row, seq) => ({
    id: String(row.id),
    seq,
    occurredAt: row.occurred_at,
    staffUserId: row.staff_user_id,
    accountId: row.account_id,
    operation: row.operation,
    requestId: row.request_id ?? null,
  }),
};

/**
 * Writes staff reads to `banking.access_audit`: append-only (a trigger
 * refuses UPDATE, DELETE and TRUNCATE) and hash-chained by banking's audit
 * sealer once committed.
 */
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
