import type { CurrencyCode } from '@meridian/platform';
import type { FraudReason } from './fraud-rules';
import type { PaymentKind, PaymentStatus } from './payment-state';

/** A payment as payments stores it; amounts in minor units. */
export interface PaymentRecord {
  id: string;
  userId: string;
  kind: PaymentKind;
  status: PaymentStatus;
  amount: bigint;
  currency: CurrencyCode;
  refundedAmount: bigint;
  /** The customer's account the money leaves. */
  accountId: string;
  /** Peer-to-peer: the customer paid and the account credited. */
  counterpartyUserId: string | null;
  counterpartyAccountId: string | null;
  /** Who is paid, as the payer sees them (display name, payee or biller name). */
  counterpartyName: string;
  payeeId: string | null;
  billerId: string | null;
  cardId: string | null;
  description: string;
  /** The ledger's pending transfer that holds the money from confirmation on. */
  holdTransferId: string;
  reviewReasons: FraudReason[];
  failureCode: string | null;
  failureMessage: string | null;
  scheduledPaymentId: string | null;
  limitDay: string | null;
  limitMonth: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One step of a payment's life: who moved it from which state to which, and why. */
export interface PaymentEvent {
  seq: number;
  from: PaymentStatus | null;
  to: PaymentStatus;
  /** `user:<id>`, `staff:<id>`, `system` or `provider:<name>` (a payout the receiving bank returned). */
  actor: string;
  reason: string;
  at: Date;
}

/** Whether the counterparty of a peer-to-peer payment sees it: once the money reached them. */
export function isReceived(p: PaymentRecord): boolean {
  return p.status === 'SUCCEEDED' || p.status === 'PARTIALLY_REFUNDED' || p.status === 'REFUNDED';
}
