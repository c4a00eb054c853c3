/**
 * The port to a card acquirer and payout rail (Stripe, Adyen, Modulr and the
 * like). Every money movement carries our `attemptId`, which is the provider's
 * idempotency key: the same attemptId with the same request answers what was
 * answered the first time and never moves money twice.
 *
 * How a caller reads each outcome:
 * - a {@link ProviderResult}: SUCCEEDED and DECLINED are final; PENDING ends
 *   later with a signed webhook (a {@link ProviderWebhookEvent}) or is read with `retrieve`;
 * - {@link ProviderUnavailableError}: the provider refused before acting (HTTP 503);
 *   send the same request with the same attemptId again;
 * - {@link ProviderTimeoutError}: the outcome is unknown; call `retrieve(attemptId)`,
 *   never charge or pay again under a new attemptId.
 */
import { DomainError, ErrorCode, type CurrencyCode } from '@meridian/platform';

/** Where a payment stands: final (SUCCEEDED, DECLINED) or waiting for a webhook (PENDING). */
export type ProviderStatus = 'SUCCEEDED' | 'PENDING' | 'DECLINED';

/** Why a provider declined, in its snake_case vocabulary (Stripe's, where one exists). */
export type DeclineCode =
  | 'card_declined'
  | 'insufficient_funds'
  | 'expired_card'
  | 'processing_error'
  | 'account_closed'
  | 'invalid_account'
  | 'expired_or_canceled_card';

/** Every decline code, for validation. */
export const DECLINE_CODES: readonly DeclineCode[] = [
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'processing_error',
  'account_closed',
  'invalid_account',
  'expired_or_canceled_card',
];

/** Why the receiving bank sent a paid-out payment back, as Stripe names a payout's failure codes. */
export type ReturnCode = 'account_closed' | 'account_frozen' | 'no_account' | 'incorrect_account_holder_name' | 'could_not_process';

/** Every return code, for validation. */
export const RETURN_CODES: readonly ReturnCode[] = ['account_closed', 'account_frozen', 'no_account', 'incorrect_account_holder_name', 'could_not_process'];

/** The card networks a token can carry, as Stripe names them. */
export type ProviderCardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'maestro' | 'unknown';

/** Card details as the customer typed them; they go to the provider and nowhere else. */
export interface TokenizeCardRequest {
  /** 12 to 19 digits; spaces and hyphens between groups are allowed. */
  pan: string;
  /** 1–12. */
  expMonth: number;
  /** Four digits. */
  expYear: number;
  /** Three digits, four for American Express. */
  cvc: string;
}

/** A stored card as the provider describes it; never the PAN. */
export interface CardToken {
  /** Stands for the card in `charge`. */
  token: string;
  brand: ProviderCardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  /** The same for every token of one card number, so a card added twice can be recognised. */
  fingerprint: string;
}

/** One card payment. */
export interface ChargeRequest {
  /** Ours, unique per attempt; the provider's idempotency key. */
  attemptId: string;
  cardToken: string;
  /** Minor units, above zero. */
  amount: bigint;
  currency: CurrencyCode;
  /** Shown on the statement and in the provider's dashboard. */
  description: string;
}

/**
 * Where a payout goes: a bank account, as an IBAN (SEPA, international) or a UK sort code and account number
 * (Faster Payments), or a biller's collection account named by its biller code, with the customer's reference there.
 */
export type PayoutDestination =
  | { kind: 'IBAN'; iban: string; bic?: string }
  | { kind: 'UK'; sortCode: string; accountNumber: string }
  | { kind: 'BILLER'; billerCode: string; reference: string };

/** One payout to a bank account. */
export interface PayoutRequest {
  /** Ours, unique per attempt; the provider's idempotency key. */
  attemptId: string;
  destination: PayoutDestination;
  /** The account holder's name, for confirmation of payee. */
  name: string;
  /** Minor units, above zero. */
  amount: bigint;
  currency: CurrencyCode;
  /** What the beneficiary sees on their statement. */
  reference: string;
}

/** Money paid back to the card of a successful charge, in full or in part. */
export interface RefundRequest {
  /** Ours, unique per attempt; the provider's idempotency key. */
  attemptId: string;
  /** The charge refunded: its `providerRef`, or the `attemptId` it was made under. */
  charge: string;
  /** Minor units, above zero and at most what is left of the charge after its other refunds. */
  amount: bigint;
  /** The charge's currency. */
  currency: CurrencyCode;
  /** Why, for the provider's dashboard; 1 to 200 characters. */
  reason: string;
}

/** What a provider answers for a charge, payout or refund, and what `retrieve` reads back. */
export interface ProviderResult {
  status: ProviderStatus;
  /** The provider's id for the payment; the same on every answer and webhook about it. */
  providerRef: string;
  /** Set when `status` is DECLINED. */
  declineCode?: DeclineCode;
  /** The provider's words, for logs and support; not written for customers. */
  message?: string;
}

/** What a provider did: a card charge, a bank payout, or a refund of a charge. */
export type ProviderPaymentKind = 'CHARGE' | 'PAYOUT' | 'REFUND';

/**
 * The body of a provider webhook. `payment.*` finish a PENDING charge or
 * payout, `refund.*` a PENDING refund, and `payout.returned` tells that the
 * receiving bank sent a paid-out payment back (in full or in part).
 * `sequence` increases with each change of one attempt at the provider, the
 * answer to `charge`/`payout`/`refund` counting as 1: a receiver applies an
 * event only when its sequence is above the one it holds, so late or
 * repeated events change nothing.
 */
export type ProviderWebhookEvent =
  | { type: 'payment.succeeded'; data: ProviderWebhookEventData & { kind: 'CHARGE' | 'PAYOUT'; status: 'SUCCEEDED' } }
  | { type: 'payment.failed'; data: ProviderWebhookEventData & { kind: 'CHARGE' | 'PAYOUT'; status: 'DECLINED'; declineCode: DeclineCode } }
  | { type: 'refund.succeeded'; data: ProviderWebhookEventData & { kind: 'REFUND'; status: 'SUCCEEDED' } }
  | { type: 'refund.failed'; data: ProviderWebhookEventData & { kind: 'REFUND'; status: 'DECLINED'; declineCode: DeclineCode } }
  | { type: 'payout.returned'; data: PayoutReturnedEventData };

/** The fields every payment or refund event carries. */
export interface ProviderWebhookEventData {
  kind: ProviderPaymentKind;
  attemptId: string;
  providerRef: string;
  status: 'SUCCEEDED' | 'DECLINED';
  declineCode?: DeclineCode;
  message?: string;
  /** Minor units, as the payment was asked for. */
  amount: bigint;
  currency: CurrencyCode;
  /** At least 2; see {@link ProviderWebhookEvent}. */
  sequence: number;
  /** ISO 8601: when the payment reached this status at the provider. */
  occurredAt: string;
}

/** A payout the receiving bank sent back, after the provider paid it. */
export interface PayoutReturnedEventData {
  kind: 'PAYOUT';
  /** The payout's attemptId and providerRef. */
  attemptId: string;
  providerRef: string;
  /** Minor units returned: above zero, at most what was paid out. */
  amount: bigint;
  currency: CurrencyCode;
  returnCode: ReturnCode;
  message?: string;
  /** Above the payout's own last event; see {@link ProviderWebhookEvent}. */
  sequence: number;
  /** ISO 8601: when the money came back. */
  occurredAt: string;
}

/** A payment provider: tokenizes cards, charges and refunds them, pays out to bank accounts. */
export interface PaymentProvider {
  /** Short stable name, stored next to each `providerRef`. */
  readonly name: string;
  /**
   * Exchanges card details for a token. Errors: BAD_USER_INPUT (reason
   * CARD_INVALID, `field` naming pan, expMonth, expYear or cvc; the message never
   * contains the number); ProviderUnavailableError.
   */
  tokenizeCard(request: TokenizeCardRequest): Promise<CardToken>;
  /**
   * Charges a tokenized card. Errors: BAD_USER_INPUT (reason PAYMENT_REQUEST_INVALID,
   * or CARD_TOKEN_UNKNOWN); AttemptIdReusedError; ProviderUnavailableError; ProviderTimeoutError.
   */
  charge(request: ChargeRequest): Promise<ProviderResult>;
  /**
   * Pays out to a bank account. Errors: BAD_USER_INPUT (reason PAYMENT_REQUEST_INVALID);
   * AttemptIdReusedError; ProviderUnavailableError; ProviderTimeoutError.
   */
  payout(request: PayoutRequest): Promise<ProviderResult>;
  /**
   * Pays (part of) a successful charge back to its card. Errors: BAD_USER_INPUT
   * (reason PAYMENT_REQUEST_INVALID; CHARGE_UNKNOWN for a charge it did not make
   * or that did not succeed; REFUND_EXCEEDS_CHARGE for more than is left of it);
   * AttemptIdReusedError; ProviderUnavailableError; ProviderTimeoutError.
   */
  refund(request: RefundRequest): Promise<ProviderResult>;
  /**
   * The charge's, payout's or refund's current state, or null when the provider never received the
   * attempt (then sending it again with the same attemptId is safe).
   * Errors: ProviderUnavailableError; ProviderTimeoutError.
   */
  retrieve(attemptId: string): Promise<ProviderResult | null>;
}

/**
 * The provider answered neither yes nor no (a network timeout): the payment may
 * or may not have been made. Resolve it with `retrieve(attemptId)`.
 */
export class ProviderTimeoutError extends DomainError {
  constructor(
    readonly attemptId: string,
    message = 'The payment provider did not answer in time; the outcome is unknown.',
  ) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, { reason: 'PROVIDER_TIMEOUT' });
    this.name = 'ProviderTimeoutError';
  }
}

/**
 * The provider refused before acting (HTTP 503, maintenance, a stopped
 * simulator): nothing was recorded, and the same request with the same
 * attemptId may be sent again.
 */
export class ProviderUnavailableError extends DomainError {
  constructor(
    readonly attemptId: string | undefined,
    message = 'The payment provider is unavailable; nothing was done. Try again.',
  ) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, { reason: 'PROVIDER_UNAVAILABLE' });
    this.name = 'ProviderUnavailableError';
  }
}

/** The attemptId was already used for a different request; the provider did nothing. */
export class AttemptIdReusedError extends DomainError {
  constructor(readonly attemptId: string) {
    super(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This attemptId was already used for a different request.', { reason: 'ATTEMPT_ID_REUSED' });
    this.name = 'AttemptIdReusedError';
  }
}
