import { formatDecimal, writeOutboxEvent, type OutboxEvent, type Queryable } from '@meridian/platform';
import type { PaymentRecord } from '../domain/payment';

/** Payments' outbox table. */
export const PAYMENTS_OUTBOX = 'payments.outbox';
/** The stream payments' events are published on. */
export const PAYMENTS_EVENTS_TOPIC = 'payments.events';

/** The events payments publishes; insights and notifications read them. */
export type PaymentEventType = 'payment.succeeded' | 'payment.failed' | 'payment.refunded';

/**
 * Writes a payment event to the outbox in the caller's transaction, so it is
 * published if and only if the change it reports commits.
 */
export async function writePaymentEvent(q: Queryable, type: PaymentEventType, p: PaymentRecord, extra: Record<string, unknown> = {}): Promise<void> {
  await writeOutboxEvent(q, PAYMENTS_OUTBOX, paymentEvent(type, p, extra));
}

/**
 * A payment event about `p` as it stands after the change reported. Amounts
 * are decimal strings; the payload names no account number and no personal
 * data beyond ids.
 */
export function paymentEvent(type: PaymentEventType, p: PaymentRecord, extra: Record<string, unknown> = {}): OutboxEvent {
  return {
    topic: PAYMENTS_EVENTS_TOPIC,
    type,
    aggregateId: p.id,
    payload: {
      paymentId: p.id,
      userId: p.userId,
      kind: p.kind,
      status: p.status,
      amount: formatDecimal(p.amount, p.currency),
      currency: p.currency,
      refundedAmount: formatDecimal(p.refundedAmount, p.currency),
      counterpartyUserId: p.counterpartyUserId,
      holdTransferId: p.holdTransferId,
      ...(p.failureCode ? { failureCode: p.failureCode } : {}),
      ...extra,
    },
  };
}
