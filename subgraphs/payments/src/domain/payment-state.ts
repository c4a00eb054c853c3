import { errors } from '@meridian/platform';

/** What a payment does: to another Meridian customer, out to an external account, by card, or to a biller. */
export type PaymentKind = 'P2P' | 'PAYOUT' | 'CARD' | 'BILL';

/** Every payment kind. */
export const PAYMENT_KINDS: readonly PaymentKind[] = ['P2P', 'PAYOUT', 'CARD', 'BILL'];

/** Where a payment is in its life, named as Stripe names a payment intent's states. */
export type PaymentStatus =
  | 'REQUIRES_CONFIRMATION'
  | 'REQUIRES_REVIEW'
  | 'PROCESSING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELED'
  | 'REFUNDED'
  | 'PARTIALLY_REFUNDED';

/** Every payment status. */
export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'REQUIRES_CONFIRMATION',
  'REQUIRES_REVIEW',
  'PROCESSING',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'REFUNDED',
  'PARTIALLY_REFUNDED',
];

/**
 * The legal transitions. A created payment waits for the customer to confirm
 * it; confirming sends it to processing, or to review when a fraud rule
 * triggers, or fails it at once (insufficient funds, a limit). Review approves
 * (processing), rejects (failed), or the customer cancels first. Processing
 * ends in success or failure; a success can be refunded in parts until it is
 * refunded in full. FAILED, CANCELED and REFUNDED never change again.
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  REQUIRES_CONFIRMATION: ['PROCESSING', 'CANCELED', 'REQUIRES_REVIEW', 'FAILED'],
  REQUIRES_REVIEW: ['PROCESSING', 'FAILED', 'CANCELED'],
  PROCESSING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  FAILED: [],
  CANCELED: [],
  REFUNDED: [],
};

/** Whether a payment may go from `from` to `to`. */
export const canTransition = (from: PaymentStatus, to: PaymentStatus): boolean => PAYMENT_TRANSITIONS[from].includes(to);

/** Refuses an illegal change of status. Errors: CONFLICT with `state` (the current status). */
export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (!canTransition(from, to)) {
    throw errors.conflict(`A payment in state ${from} cannot become ${to}.`, { state: from });
  }
}

/**
 * Whether nothing can happen to the payment any more (FAILED, CANCELED,
 * REFUNDED). SUCCEEDED and PARTIALLY_REFUNDED are settled but not terminal:
 * they can still be refunded.
 */
export const isTerminal = (status: PaymentStatus): boolean => PAYMENT_TRANSITIONS[status].length === 0;

/** Whether the customer may still cancel the payment: before it is processing. */
export const isCancelable = (status: PaymentStatus): boolean => canTransition(status, 'CANCELED');
