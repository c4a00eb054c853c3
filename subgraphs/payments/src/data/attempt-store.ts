import { returnedRows, toDate, type Queryable, type Row } from '@meridian/platform';

/** Where one call to the provider stands, as payments recorded it. */
export type AttemptStatus = 'SENDING' | 'PENDING' | 'SUCCEEDED' | 'DECLINED' | 'UNKNOWN';

/** One attempt at the provider: what was asked (never a card number), what came back, how often it was tried. */
export interface AttemptRecord {
  id: string;
  paymentId: string;
  operation: 'CHARGE' | 'PAYOUT' | 'REFUND';
  /** The refund a REFUND attempt pays back; null for charges and payouts. */
  refundId: string | null;
  status: AttemptStatus;
  request: Record<string, unknown>;
  response: Record<string, unknown> | null;
  providerRef: string | null;
  tries: number;
  lastError: string | null;
  /** The highest webhook sequence applied: older events are ignored. */
  lastSequence: number;
  createdAt: Date;
  updatedAt: Date;
}

const toAttempt = (r: Row): AttemptRecord => ({
  id: r.id as string,
  paymentId: r.payment_id as string,
  operation: r.operation as AttemptRecord['operation'],
  refundId: (r.refund_id as string | null) ?? null,
  status: r.status as AttemptStatus,
  request: r.request as Record<string, unknown>,
  response: (r.response as Record<string, unknown> | null) ?? null,
  providerRef: (r.provider_ref as string | null) ?? null,
  tries: Number(r.tries),
  lastError: (r.last_error as string | null) ?? null,
  lastSequence: Number(r.last_sequence),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

/** Provider attempts: every call recorded before it is made, and what it answered. */
export class AttemptStore {
  /** Records an attempt about to be sent; one already recorded under the id is answered as it stands. */
  async open(
    q: Queryable,
    a: { id: string; paymentId: string; operation: AttemptRecord['operation']; refundId?: string; request: Record<string, unknown> },
  ): Promise<AttemptRecord> {
    await q.query(
      `INSERT INTO payments.provider_attempts (id, payment_id, operation, refund_id, status, request) VALUES ($1, $2, $3, $4, 'SENDING', $5) ON CONFLICT (id) DO NOTHING`,
      [a.id, a.paymentId, a.operation, a.refundId ?? null, JSON.stringify(a.request)],
    );
    return (await this.get(q, a.id))!;
  }

  async get(q: Queryable, id: string): Promise<AttemptRecord | null> {
    const [row]: Row[] = await q.query(`SELECT * FROM payments.provider_attempts WHERE id = $1`, [id]);
    return row ? toAttempt(row) : null;
  }

  /** Counts one more try and what went wrong with it, if anything. */
  async tried(q: Queryable, id: string, error?: string): Promise<void> {
    await q.query(`UPDATE payments.provider_attempts SET tries = tries + 1, last_error = $2, updated_at = clock_timestamp() WHERE id = $1`, [id, error ?? null]);
  }

  /**
   * Records what the provider said. A final status (SUCCEEDED, DECLINED) is
   * never overwritten; a webhook's `sequence` must be above the last one
   * applied. Answers the attempt when this changed it, null otherwise.
   */
  async record(
    q: Queryable,
    id: string,
    outcome: { status: AttemptStatus; response?: Record<string, unknown>; providerRef?: string | null; sequence?: number },
  ): Promise<AttemptRecord | null> {
    const rows = returnedRows(
      await q.query(
        `UPDATE payments.provider_attempts
         SET status = $2, response = coalesce($3::jsonb, response), provider_ref = coalesce($4, provider_ref),
             last_sequence = greatest(last_sequence, coalesce($5, last_sequence)), updated_at = clock_timestamp()
         WHERE id = $1 AND status NOT IN ('SUCCEEDED', 'DECLINED') AND ($5::int IS NULL OR $5::int > last_sequence)
         RETURNING *`,
        [id, outcome.status, outcome.response ? JSON.stringify(outcome.response) : null, outcome.providerRef ?? null, outcome.sequence ?? null],
      ),
    );
    return rows[0] ? toAttempt(rows[0]) : null;
  }

  /** Remembers a webhook id; false when it was seen before (a duplicate delivery). */
  async receipt(q: Queryable, webhookId: string, provider: string, eventType: string): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO payments.webhook_receipts (id, provider, event_type) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [webhookId, provider, eventType],
    );
    return rows.length > 0;
  }

  /** Forgets a webhook id whose event could not be applied yet, so the provider's next delivery of it is applied rather than taken for a duplicate. */
  async forgetReceipt(q: Queryable, webhookId: string): Promise<void> {
    await q.query(`DELETE FROM payments.webhook_receipts WHERE id = $1`, [webhookId]);
  }

  /** A payment's attempts, oldest first. */
  async ofPayment(q: Queryable, paymentId: string): Promise<AttemptRecord[]> {
    const rows: Row[] = await q.query(`SELECT * FROM payments.provider_attempts WHERE payment_id = $1 ORDER BY created_at, id`, [paymentId]);
    return rows.map(toAttempt);
  }
}
