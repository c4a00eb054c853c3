import { returnedRows, toDate, type CurrencyCode, type Queryable, type Row } from '@meridian/platform';

/** A refund of (part of) a payment. */
export interface RefundRecord {
  id: string;
  paymentId: string;
  amount: bigint;
  currency: CurrencyCode;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  /** The ledger transfer that pays it back. */
  transferId: string;
  actor: string;
  reason: string;
  failureCode: string | null;
  createdAt: Date;
}

const COLUMNS = `r.id, r.payment_id, r.amount, p.currency, r.status, r.transfer_id, r.actor, r.reason, r.failure_code, r.created_at`;

function toRefund(r: Row): RefundRecord {
  return {
    id: r.id as string,
    paymentId: r.payment_id as string,
    amount: BigInt(r.amount as string),
    currency: r.currency as CurrencyCode,
    status: r.status as RefundRecord['status'],
    transferId: r.transfer_id as string,
    actor: r.actor as string,
    reason: r.reason as string,
    failureCode: (r.failure_code as string | null) ?? null,
    createdAt: toDate(r.created_at),
  };
}

/** Refunds, and the payment's reserve that keeps concurrent refunds within what was paid. */
export class RefundStore {
  /**
   * Records a refund as PENDING and reserves its amount on the payment, in
   * the caller's transaction; answers null (nothing written) when the amount
   * no longer fits what is left to refund. An id already stored answers that refund.
   */
  async reserve(q: Queryable, r: { id: string; paymentId: string; amount: bigint; transferId: string; actor: string; reason: string }): Promise<RefundRecord | null> {
    const existing = await this.get(q, r.id);
    if (existing) return existing;
    const reserved = returnedRows(
      await q.query(
        `UPDATE payments.payments SET refund_reserved = refund_reserved + $2, updated_at = clock_timestamp()
         WHERE id = $1 AND refunded_amount + refund_reserved + $2 <= amount RETURNING id`,
        [r.paymentId, r.amount.toString()],
      ),
    );
    if (reserved.length === 0) return null;
    await q.query(
      `INSERT INTO payments.refunds (id, payment_id, amount, status, transfer_id, actor, reason) VALUES ($1, $2, $3, 'PENDING', $4, $5, $6)`,
      [r.id, r.paymentId, r.amount.toString(), r.transferId, r.actor, r.reason],
    );
    return this.get(q, r.id);
  }

  /**
   * Ends a PENDING refund: SUCCEEDED moves its amount from the reserve to
   * `refunded_amount`, FAILED gives the reserve back. Answers null when it
   * was no longer PENDING (another request ended it first).
   */
  async settle(q: Queryable, id: string, outcome: { status: 'SUCCEEDED' } | { status: 'FAILED'; failureCode: string }): Promise<{ refund: RefundRecord; refundedAmount: bigint } | null> {
    const rows = returnedRows(
      await q.query(
        `UPDATE payments.refunds SET status = $2, failure_code = $3, updated_at = clock_timestamp() WHERE id = $1 AND status = 'PENDING' RETURNING payment_id, amount`,
        [id, outcome.status, outcome.status === 'FAILED' ? outcome.failureCode : null],
      ),
    );
    if (rows.length === 0) return null;
    const [{ payment_id, amount }] = rows;
    const [payment] = returnedRows(
      await q.query(
        `UPDATE payments.payments SET refund_reserved = refund_reserved - $2,
           refunded_amount = refunded_amount + CASE WHEN $3 THEN $2::bigint ELSE 0 END, updated_at = clock_timestamp()
         WHERE id = $1 RETURNING refunded_amount`,
        [payment_id, amount, outcome.status === 'SUCCEEDED'],
      ),
    );
    return { refund: (await this.get(q, id))!, refundedAmount: BigInt(payment.refunded_amount as string) };
  }

  async get(q: Queryable, id: string): Promise<RefundRecord | null> {
    const [row]: Row[] = await q.query(`SELECT ${COLUMNS} FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id WHERE r.id = $1`, [id]);
    return row ? toRefund(row) : null;
  }

  /** A payment's refunds, oldest first. */
  async ofPayment(q: Queryable, paymentId: string): Promise<RefundRecord[]> {
    const rows: Row[] = await q.query(
      `SELECT ${COLUMNS} FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id WHERE r.payment_id = $1 ORDER BY r.created_at, r.id`,
      [paymentId],
    );
    return rows.map(toRefund);
  }
}
