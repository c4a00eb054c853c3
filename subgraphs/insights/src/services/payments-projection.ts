import { isUuid, type DeliveredEvent, type Queryable } from '@meridian/platform';
import type { DataSource } from 'typeorm';

/** The stream payments publishes its events on. */
export const PAYMENTS_STREAM = 'payments.events';

/**
 * Gives a refund the category of what it refunds. Payments' money moves on the
 * ledger like any other (the ledger projection sees it); `payment.refunded`
 * adds which ledger transfer paid back which payment, so money coming back
 * nets out the spending it reverses (a returned purchase lowers "Shopping"
 * instead of counting as income). Either event may arrive first.
 */
export class PaymentsProjection {
  constructor(private readonly db: DataSource) {}

  /** Applies an event from `payments.events`; others than `payment.refunded` are ignored. A malformed one is refused (and parked). */
  async handle(event: DeliveredEvent): Promise<void> {
    if (event.type !== 'payment.refunded') return;
    const { paymentId, holdTransferId, refundTransferId } = event.payload as Record<string, unknown>;
    if (!isUuid(String(paymentId)) || !isUuid(String(holdTransferId))) throw new Error(`malformed payment.refunded event ${event.id}`);
    // Events written before refunds named their transfer carry nothing to link.
    if (!isUuid(String(refundTransferId))) return;
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO insights.refund_links (refund_transfer_id, original_transfer_id, payment_id) VALUES ($1, $2, $3) ON CONFLICT (refund_transfer_id) DO NOTHING`,
        [refundTransferId, holdTransferId, paymentId],
      );
      await inheritRefundCategory(m, String(refundTransferId));
    });
  }
}

/** The rows of a refund transfer take the category of the same customer's row of the transfer it refunds (unless the customer chose one). */
export async function inheritRefundCategory(q: Queryable, refundTransferId: string): Promise<void> {
  await q.query(
    `UPDATE insights.transactions r SET category = o.category, primary_category = o.primary_category, category_source = o.category_source,
       merchant_key = coalesce(r.merchant_key, o.merchant_key), updated_at = now()
     FROM insights.refund_links l JOIN insights.transactions o ON o.transfer_id = l.original_transfer_id
     WHERE l.refund_transfer_id = $1 AND r.transfer_id = l.refund_transfer_id AND o.user_id = r.user_id AND r.category_source <> 'USER'`,
    [refundTransferId],
  );
}
