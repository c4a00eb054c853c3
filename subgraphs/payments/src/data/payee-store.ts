import { returnedRows, toDate, type DataProtection, type Queryable, type Row } from '@meridian/platform';
import { maskedAccount, payeeCountry, type Payee, type PayeeAccount, type PayeeRecord } from '../domain/payee';

const COLUMNS = 'id, user_id, name, scheme, masked, country, created_at';

function toPayee(r: Row): PayeeRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    name: r.name as string,
    scheme: r.scheme as PayeeRecord['scheme'],
    maskedAccount: r.masked as string,
    country: r.country as string,
    createdAt: toDate(r.created_at),
  };
}

/**
 * Reads and writes `payments.payees`. The account (an IBAN and BIC, or a sort
 * code and account number) is sealed with a data key of its own; the context
 * bound into the envelope names the column, the customer and the payee, so a
 * value copied to another row does not open. Lists never open it.
 */
export class PayeeStore {
  constructor(private readonly protection: DataProtection) {}

  private context(userId: string, id: string): string {
    return `payments.payees.account:${userId}:${id}`;
  }

  /** The customer's payees, oldest first; deleted ones are gone. */
  async list(q: Queryable, userId: string): Promise<PayeeRecord[]> {
    const rows: Row[] = await q.query(`SELECT ${COLUMNS} FROM payments.payees WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`, [userId]);
    return rows.map(toPayee);
  }

  /** How many payees the customer keeps. */
  async count(q: Queryable, userId: string): Promise<number> {
    const [row]: Row[] = await q.query(`SELECT count(*)::int AS n FROM payments.payees WHERE user_id = $1 AND deleted_at IS NULL`, [userId]);
    return Number(row.n);
  }

  /** Saves a checked payee under `id`, its account sealed. */
  async insert(q: Queryable, id: string, userId: string, payee: Payee): Promise<PayeeRecord> {
    const sealed = this.protection.envelope.seal(Buffer.from(JSON.stringify(payee.account), 'utf8'), this.context(userId, id));
    const [row]: Row[] = await q.query(
      `INSERT INTO payments.payees (id, user_id, name, scheme, account, masked, country) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [id, userId, payee.name, payee.account.scheme, sealed, maskedAccount(payee.account), payeeCountry(payee.account)],
    );
    return toPayee(row);
  }

  /** Deletes the customer's payee (the row stays for the payments made to it); null when they keep no such payee. */
  async delete(q: Queryable, userId: string, id: string): Promise<PayeeRecord | null> {
    const rows = returnedRows(
      await q.query(`UPDATE payments.payees SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`, [id, userId]),
    );
    return rows[0] ? toPayee(rows[0]) : null;
  }

  /**
   * The account of a payee the customer keeps, opened, to pay it; null when they keep no such payee (a deleted one
   * cannot be paid). `includeDeleted` reads it for a payment made before the payee was deleted.
   */
  async account(q: Queryable, userId: string, id: string, options: { includeDeleted?: boolean } = {}): Promise<PayeeAccount | null> {
    const [row]: Row[] = await q.query(
      `SELECT account FROM payments.payees WHERE id = $1 AND user_id = $2${options.includeDeleted ? '' : ' AND deleted_at IS NULL'}`,
      [id, userId],
    );
    if (!row) return null;
    return JSON.parse(this.protection.envelope.open(Buffer.from(row.account as Uint8Array), this.context(userId, id)).toString('utf8')) as PayeeAccount;
  }
}
