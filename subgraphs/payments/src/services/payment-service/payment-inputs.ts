import type { AccessTokenClaims, Logger } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { LedgerClient } from '../../clients/ledger-client';
import type { IdentityDirectory } from '../../clients/directory-client';
import type { FraudRuleOptions } from '../../domain/fraud-rules';
import type { KycTier } from '../../domain/limits';
import type { StepUpPolicy } from '../../domain/step-up';
import type { NewPayment } from '../../data/payment-store';
import type { CustomerTiers } from '../customer-tiers';
import type { ProviderPayouts } from '../provider-payouts';
import type { SpendingLimits } from '../spending-limits';

/** What every create request may add: confirm at once (Stripe's `confirm: true`). */
export interface CreateOptions {
  /** Confirm in the same request: the answer is the payment as confirming it left it. */
  confirm?: boolean | null;
}

/** A peer-to-peer payment as the customer asks for it. */
export interface P2PPaymentInput extends CreateOptions {
  /** The customer's account the money leaves. */
  accountId: string;
  /** A decimal string in the currency, e.g. "25.00". */
  amount: string;
  currency: string;
  /** The other customer, by email or phone number. */
  recipient: { email?: string | null; phone?: string | null };
  description?: string | null;
}

/** Who asks, and the key the request carries (the Idempotency-Key header or the argument). */
export interface RequestContext {
  viewer: AccessTokenClaims;
  idempotencyKey?: string | null;
  requestId: string;
}

/** What the payment service is built from. */
export interface PaymentServiceDeps {
  db: DataSource;
  ledger: LedgerClient;
  directory: IdentityDirectory;
  tiers: CustomerTiers;
  limits: SpendingLimits;
  /** Payouts to saved payees at the payment provider. */
  payouts: ProviderPayouts;
  /** Asks for a later look at a refund whose ledger outcome is unknown (a job that calls finishRefund). */
  scheduleRefundCheck?: (refundId: string) => Promise<void>;
  logger: Logger;
  fraudRules?: Partial<FraudRuleOptions>;
  /** Which payments a customer must have stepped up for; default DEFAULT_STEP_UP_POLICY (domain/step-up). */
  stepUp?: StepUpPolicy;
}

/** A top-up of the customer's own account by charging one of their saved cards. */
export interface CardPaymentInput extends CreateOptions {
  /** The customer's account the money reaches. */
  accountId: string;
  amount: string;
  currency: string;
  cardId: string;
  description?: string | null;
}

/** A payment to one of the customer's saved billers. */
export interface BillPaymentInput extends CreateOptions {
  accountId: string;
  amount: string;
  currency: string;
  billerId: string;
  description?: string | null;
}

/** A payment checked and ready to be stored, without its ids, with the payer's tier it was checked against. */
export type PreparedPayment = Omit<NewPayment, 'id' | 'holdTransferId' | 'scheduledPaymentId'> & { tier: KycTier };

/** A payout to one of the customer's saved payees, as the customer asks for it. */
export interface PayoutPaymentInput extends CreateOptions {
  accountId: string;
  amount: string;
  currency: string;
  payeeId: string;
  description?: string | null;
}
