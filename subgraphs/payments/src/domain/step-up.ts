import { DEFAULT_STEP_UP_MAX_AGE_SECONDS, hasRecentMfa, stepUpRequired, type AccessTokenClaims } from '@meridian/platform';
import type { PaymentKind } from './payment-state';

/** When a customer must have given a second factor recently (the access token's `auth_time`). */
export interface StepUpPolicy {
  /** Payments of this many minor units or more need a recent step-up; default 100000 (1,000.00). */
  thresholdMinor: bigint;
  /** How recent, in seconds; default 300. */
  maxAgeSeconds: number;
}

export const DEFAULT_STEP_UP_POLICY: StepUpPolicy = { thresholdMinor: 100_000n, maxAgeSeconds: DEFAULT_STEP_UP_MAX_AGE_SECONDS };

/**
 * Whether paying `amount` needs a recent second factor: money leaving the
 * customer (P2P, payouts, bills) at or above the threshold, in the payment's
 * currency's minor units. A card top-up brings money in and never does.
 */
export function paymentNeedsStepUp(kind: PaymentKind, amount: bigint, policy: StepUpPolicy): boolean {
  return kind !== 'CARD' && amount >= policy.thresholdMinor;
}

/**
 * Refuses a large payment asked for by a customer whose token shows no recent
 * second factor. Errors: STEP_UP_REQUIRED (`maxAgeSeconds`, `methods`, `action`).
 */
export function assertStepUpForPayment(viewer: AccessTokenClaims, payment: { kind: PaymentKind; amount: bigint }, policy: StepUpPolicy, action: string): void {
  if (paymentNeedsStepUp(payment.kind, payment.amount, policy) && !hasRecentMfa(viewer, policy.maxAgeSeconds)) {
    throw stepUpRequired({ maxAgeSeconds: policy.maxAgeSeconds, action });
  }
}
