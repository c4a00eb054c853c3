import { returnedRows, toDate, type DataProtection, type Queryable, type Row } from '@meridian/platform';
import { maskedReference, type Biller, type BillerRecord } from '../domain/biller';

const COLUMNS = 'id, user_id, name, biller_code, masked_reference, created_at';

function toBiller(r: Row): BillerRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    name: r.name as string,
    billerCode: r.biller_code as string,
    maskedReference: r.masked_reference as string,
    createdAt: toDate(r.created_at),
  };
}

/**
 * Reads and writes `payments.billers`. The customer's reference with the
 * biller is sealed with a data key of its own, bound to the column, the
 * customer and the biller; lists never open it.
 */
export class BillerStore {
  constructor(private readonly protection: DataProtection) {}

  private context(userId: string, id: string): string {
    return `payments.billers.reference:${userId}:${id}`;
  }

  /** The customer's billers, oldest first; deleted ones are gone. */
  async list(q: Queryable, userId: string): Promise<BillerRecord[]> {
    const rows: Row[] = await q.query(`SELECT ${COLUMNS} FROM payments.billers WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`, [userId]);
    return rows.map(toBiller);
  }

  /** How many billers the customer keeps. */
  async count(q: Queryable, userId: string): Promise<number> {
    const [row]: Row[] = await q.query(`SELECT count(*)::int AS n FROM payments.billers WHERE user_id = $1 AND deleted_at IS NULL`, [userId]);
    return Number(row.n);
  }

  /** Saves a checked biller under `id`, its reference sealed. */
  async insert(q: Queryable, id: string, userId: string, biller: Biller): Promise<BillerRecord> {
    const sealed = this.protection.envelope.seal(Buffer.from(biller.reference, 'utf8'), this.context(userId, id));
    const [row]: Row[] = await q.query(
      `INSERT INTO payments.billers (id, user_id, name, biller_code, reference, masked_reference) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [id, userId, biller.name, biller.billerCode, sealed, maskedReference(biller.reference)],
    );
    return toBiller(row);
  }

  /** Deletes the customer's biller (the row stays for the payments made to it); null when they keep no such biller. */
  async delete(q: Queryable, userId: string, id: string): Promise<BillerRecord | null> {
    const rows = returnedRows(
      await q.query(`UPDATE payments.billers SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`, [id, userId]),
    );
    return rows[0] ? toBiller(rows[0]) : null;
  }

  /** The reference of a biller the customer keeps, opened, to pay it; null when they keep no such biller. */
  async reference(q: Queryable, userId: string, id: string, options: { includeDeleted?: boolean } = {}): Promise<string | null> {
    const [row]: Row[] = await q.query(
      `SELECT reference FROM payments.billers WHERE id = $1 AND user_id = $2${options.includeDeleted ? '' : ' AND deleted_at IS NULL'}`,
      [id, userId],
    );
    return row ? this.protection.envelope.open(Buffer.from(row.reference as Uint8Array), this.context(userId, id)).toString('utf8') : null;
  }
}
