import type { CardBrand, PaymentKind, PaymentPartsFragment, PaymentReviewReason, PaymentStatus, ScheduledPaymentStatus } from '@meridian/client/web';
import { formatMoney } from '../money/format-money';

/** A status as a badge shows it: words, and a theme colour whose light variant passes contrast. */
export interface StatusLook {
  label: string;
  color: 'gray' | 'yellow' | 'blue' | 'green' | 'red' | 'orange';
}

export const PAYMENT_STATUS: Record<PaymentStatus, StatusLook> = {
  REQUIRES_CONFIRMATION: { label: 'Awaiting confirmation', color: 'gray' },
  REQUIRES_REVIEW: { label: 'Held for review', color: 'yellow' },
  PROCESSING: { label: 'On its way', color: 'blue' },
  SUCCEEDED: { label: 'Completed', color: 'green' },
  FAILED: { label: 'Failed', color: 'red' },
  CANCELED: { label: 'Cancelled', color: 'gray' },
  REFUNDED: { label: 'Refunded', color: 'orange' },
  PARTIALLY_REFUNDED: { label: 'Partly refunded', color: 'orange' },
};

export const SCHEDULE_STATUS: Record<ScheduledPaymentStatus, StatusLook> = {
  ACTIVE: { label: 'Active', color: 'green' },
  CANCELED: { label: 'Cancelled', color: 'gray' },
  COMPLETED: { label: 'Completed', color: 'blue' },
};

export const PAYMENT_KIND: Record<PaymentKind, string> = {
  P2P: 'Payment to a Meridian customer',
  PAYOUT: 'Bank transfer to a payee',
  BILL: 'Bill payment',
  CARD: 'Top-up from a card',
};

export const REVIEW_REASONS: Record<PaymentReviewReason, string> = {
  VELOCITY: 'More payments in the last hour than usual',
  NEW_PAYEE_VELOCITY: 'Several new payees added in the last day',
  UNUSUAL_AMOUNT: 'Far above what you usually pay',
  NEW_PAYEE_LARGE_FIRST_PAYMENT: 'A large first payment to someone you have not paid before',
};

/** Who moved a payment on, as its history names them. */
export function actorLabel(actor: string): string {
  if (actor === 'CUSTOMER') return 'You';
  if (actor === 'STAFF') return 'Meridian staff';
  return 'Meridian';
}

const BRANDS: Partial<Record<CardBrand, string>> = { AMERICAN_EXPRESS: 'American Express', DINERS_CLUB: 'Diners Club', MASTERCARD: 'Mastercard', UNIONPAY: 'UnionPay' };

/** "Visa", "American Express", "JCB". */
export function cardBrandLabel(brand: CardBrand): string {
  return BRANDS[brand] ?? (brand.length <= 3 ? brand : brand.charAt(0) + brand.slice(1).toLowerCase());
}

/** "TIER_2" → "Tier 2". */
export function tierLabel(tier: string): string {
  const match = /^TIER_(\d+)$/.exec(tier);
  return match ? `Tier ${match[1]}` : tier;
}

/** A failure or outcome code for people: `INSUFFICIENT_FUNDS` → "insufficient funds". */
export function humanizeCode(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** The dates and times every payments screen shows, in the browser's locale and time zone. */
export const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A payment's amount with its direction: `-£25.00` sent, `+£25.00` received or topped up. */
export function signedAmount(payment: Pick<PaymentPartsFragment, 'amount' | 'received' | 'kind'>): string {
  const { amount, currency } = payment.amount;
  return payment.received || payment.kind === 'CARD' ? `+${formatMoney(amount, currency)}` : formatMoney(`-${amount}`, currency);
}
