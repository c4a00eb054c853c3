import {
  currencyCode,
  DomainError,
  ErrorCode,
  errors,
  formatDecimal,
  hasScope,
  isUuid,
  parsePositiveAmount,
  returnedRows,
  ServiceCallError,
  uuidv7,
  type AccessTokenClaims,
  type Logger,
  type Queryable,
} from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { LedgerClient, LedgerTransfer } from '../clients/ledger-client';
import type { IdentityDirectory } from '../clients/directory-client';
import { evaluateFraudRules, type FraudReason, type FraudRuleOptions } from '../domain/fraud-rules';
import { derivedId } from '../domain/ids';
import { assertTierMayPay, type KycTier } from '../domain/limits';
import type { PaymentRecord } from '../domain/payment';
import { assertTransition, type PaymentStatus } from '../domain/payment-state';
import { assertStepUpForPayment, DEFAULT_STEP_UP_POLICY, type StepUpPolicy } from '../domain/step-up';
import { IdempotencyKeys, parseIdempotencyKey, requestFingerprint } from '../data/idempotency';
import { PaymentStore, type NewPayment } from '../data/payment-store';
import { RefundStore, type RefundRecord } from '../data/refund-store';
import type { CustomerTiers } from './customer-tiers';
import { paymentEvent, writePaymentEvent } from './payment-events';
import type { ProviderOutcome, ProviderPayouts } from './provider-payouts';
import { ProviderRefunds, refundFailure } from './provider-refunds';
import { SpendingLimits, type UsagePeriods } from './spending-limits';

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

const MAX_DESCRIPTION = 140;

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
  /** Which payments a customer must have stepped up for; default {@link DEFAULT_STEP_UP_POLICY}. */
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

/**
 * Payments from intent to money moved, exactly once. A payment is created in
 * REQUIRES_CONFIRMATION; confirming it checks the tier, counts it against the
 * limits and runs the fraud rules in one transaction, then places a pending
 * ledger hold and, unless the rules hold it for review, posts it. Every step
 * is keyed by ids derived from the payment (the hold, its post, its void), so
 * a step repeated after a crash, a timeout or a retry is recognised by the
 * ledger as the one already made, and a request repeated with its
 * idempotency key gets the first answer.
 */
export class PaymentService {
  readonly store = new PaymentStore();
  readonly refunds = new RefundStore();
  private readonly keys: IdempotencyKeys;

  /** Which payments need a recent second factor. */
  readonly stepUp: StepUpPolicy;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.keys = new IdempotencyKeys(deps.db);
    this.stepUp = deps.stepUp ?? DEFAULT_STEP_UP_POLICY;
  }

  /**
   * Creates a peer-to-peer payment to another Meridian customer, to be
   * confirmed (or confirmed at once with `confirm`: see createPrepared).
   * Errors: BAD_USER_INPUT (amount, currency, account, recipient, description, paying yourself),
   * NOT_FOUND (no such recipient), FORBIDDEN (TIER_TOO_LOW), IDEMPOTENCY_KEY_REUSED.
   */
  createP2P(ctx: RequestContext, input: P2PPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, input, scheduledPaymentId, () => this.prepareP2P(ctx.viewer.userId, input));
  }

  /**
   * Checks a peer-to-peer payment as it would be created now: amount,
   * currency, tier, the payer's account, the recipient and their account.
   * Errors: as createP2P.
   */
  async prepareP2P(userId: string, input: P2PPaymentInput): Promise<PreparedPayment> {
    const { currency, amount, description } = this.checkInput(input);
    const [tier, account, recipient] = await firstFailureInOrder(this.payingTier(userId), this.ownAccount(userId, input.accountId, currency), this.findRecipient(input.recipient));
    if (recipient.id === userId) throw errors.badInput('You cannot pay yourself; move money between your own accounts instead.', { field: 'recipient' });
    const accounts = await this.deps.ledger.accountsOf(recipient.id);
    const to = accounts.find((a) => a.currency === currency && a.status === 'ACTIVE' && a.type === 'CURRENT') ?? accounts.find((a) => a.currency === currency && a.status === 'ACTIVE');
    if (!to) throw errors.badInput(`${recipient.displayName} has no account that receives ${currency}.`, { field: 'currency' });
    return {
      userId,
      tier,
      kind: 'P2P',
      amount,
      currency,
      accountId: account.id,
      counterpartyUserId: recipient.id,
      counterpartyAccountId: to.id,
      counterpartyName: recipient.displayName,
      payeeId: null,
      billerId: null,
      cardId: null,
      description,
    };
  }

  /**
   * Creates a payout to one of the customer's saved payees (an external bank
   * account), to be confirmed. The money is held towards the bank's settlement
   * account and leaves through the payment provider.
   * Errors: as createP2P, with NOT_FOUND (`payeeId`) for a payee the customer does not keep.
   */
  createPayout(ctx: RequestContext, input: PayoutPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, { kind: 'PAYOUT', ...input }, scheduledPaymentId, () => this.preparePayout(ctx.viewer.userId, input));
  }

  /** Checks a payout as it would be created now. Errors: as createPayout. */
  async preparePayout(userId: string, input: PayoutPaymentInput): Promise<PreparedPayment> {
    const { currency, amount, description } = this.checkInput(input);
    const [tier, account, payee, settlement] = await firstFailureInOrder(
      this.payingTier(userId),
      this.ownAccount(userId, input.accountId, currency),
      this.savedDestination(`SELECT id, name FROM payments.payees WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`, input.payeeId, userId, 'Payee not found.', 'payeeId'),
      this.deps.ledger.systemAccount('SETTLEMENT', currency),
    );
    return {
      userId,
      tier,
      kind: 'PAYOUT',
      amount,
      currency,
      accountId: account.id,
      counterpartyUserId: null,
      counterpartyAccountId: settlement.id,
      counterpartyName: payee.name as string,
      payeeId: payee.id as string,
      billerId: null,
      cardId: null,
      description,
    };
  }

  /**
   * Creates a bill payment to one of the customer's saved billers, to be
   * confirmed: held towards the settlement account and paid out to the
   * biller's collection account by the provider, with the customer's reference.
   * Errors: as createP2P, with NOT_FOUND (`billerId`) for a biller the customer does not keep.
   */
  createBillPayment(ctx: RequestContext, input: BillPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, { kind: 'BILL', ...input }, scheduledPaymentId, () => this.prepareBillPayment(ctx.viewer.userId, input));
  }

  /** Checks a bill payment as it would be created now. Errors: as createBillPayment. */
  async prepareBillPayment(userId: string, input: BillPaymentInput): Promise<PreparedPayment> {
    const { currency, amount, description } = this.checkInput(input);
    const [tier, account, biller, settlement] = await firstFailureInOrder(
      this.payingTier(userId),
      this.ownAccount(userId, input.accountId, currency),
      this.savedDestination(`SELECT id, name FROM payments.billers WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`, input.billerId, userId, 'Biller not found.', 'billerId'),
      this.deps.ledger.systemAccount('SETTLEMENT', currency),
    );
    return {
      userId,
      tier,
      kind: 'BILL',
      amount,
      currency,
      accountId: account.id,
      counterpartyUserId: null,
      counterpartyAccountId: settlement.id,
      counterpartyName: biller.name as string,
      payeeId: null,
      billerId: biller.id as string,
      cardId: null,
      description,
    };
  }

  /**
   * Creates a card payment: the customer's saved card is charged at the
   * provider and the money reaches their own account. The credit is held
   * (pending, not yet available) until the charge succeeds.
   * Errors: as createP2P, with NOT_FOUND (`cardId`) for a card the customer does not keep.
   */
  createCardPayment(ctx: RequestContext, input: CardPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, { kind: 'CARD', ...input }, scheduledPaymentId, () => this.prepareCardPayment(ctx.viewer.userId, input));
  }

  /** Checks a card payment as it would be created now. Errors: as createCardPayment. */
  async prepareCardPayment(userId: string, input: CardPaymentInput): Promise<PreparedPayment> {
    const { currency, amount, description } = this.checkInput(input);
    const [tier, account, card, settlement] = await firstFailureInOrder(
      this.payingTier(userId),
      this.ownAccount(userId, input.accountId, currency),
      this.savedDestination(`SELECT id, brand, last4 FROM payments.cards WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`, input.cardId, userId, 'Card not found.', 'cardId'),
      this.deps.ledger.systemAccount('SETTLEMENT', currency),
    );
    return {
      userId,
      tier,
      kind: 'CARD',
      amount,
      currency,
      accountId: account.id,
      counterpartyUserId: null,
      counterpartyAccountId: settlement.id,
      counterpartyName: `${String(card.brand).replace(/_/g, ' ')} •••• ${card.last4 as string}`,
      payeeId: null,
      billerId: null,
      cardId: card.id as string,
      description,
    };
  }

  /**
   * Confirms a payment: tier, limits and fraud rules, then the ledger hold,
   * then (unless held for review) the money moves. Answers the payment as it
   * then stands: SUCCEEDED, REQUIRES_REVIEW, or FAILED with a failure code
   * (e.g. INSUFFICIENT_FUNDS). A large payment needs a recent second factor
   * (STEP_UP_REQUIRED, not kept under the idempotency key, so the same key
   * works once stepped up). Errors: NOT_FOUND, CONFLICT (not confirmable), STEP_UP_REQUIRED,
   * FORBIDDEN (TIER_TOO_LOW), LIMIT_EXCEEDED, IDEMPOTENCY_KEY_REUSED,
   * SERVICE_UNAVAILABLE (the ledger could not be reached: the payment stays
   * PROCESSING, and confirming again with the same key finishes it).
   */
  confirm(ctx: RequestContext, id: string): Promise<PaymentRecord> {
    return this.idempotent(ctx, 'confirmPayment', { id }, async () => {
      const payment = await this.owned(ctx.viewer, id);
      if (payment.status === 'PROCESSING') return this.advance(payment);
      if (payment.status !== 'REQUIRES_CONFIRMATION') assertTransition(payment.status, 'PROCESSING');
      assertStepUpForPayment(ctx.viewer, payment, this.stepUp, 'confirmPayment');
      // Read before the transaction: it may ask KYC, and no call leaves this service while a transaction is held.
      const tier = await this.deps.tiers.tierOf(this.deps.db, payment.userId);
      const started = await this.deps.db.transaction(async (m) => this.start(m, (await this.store.get(m, id, true))!, tier, `user:${ctx.viewer.userId}`));
      return this.advance(started);
    });
  }

  /**
   * The confirmation's checks and its step to PROCESSING (or REQUIRES_REVIEW),
   * in the caller's transaction, on a payment whose row it holds: counted
   * against the limits, then the fraud rules. A payment no longer awaiting
   * confirmation is answered as it is (another request confirmed it).
   * Errors: FORBIDDEN (TIER_TOO_LOW), LIMIT_EXCEEDED.
   */
  private async start(m: Queryable, locked: PaymentRecord, tier: KycTier, actor: string): Promise<PaymentRecord> {
    if (locked.status !== 'REQUIRES_CONFIRMATION') return locked;
    // The limits count money leaving the customer; a card top-up brings money in (the tier still has to allow paying).
    const periods = locked.kind === 'CARD' ? null : this.deps.limits.periods();
    if (periods) await this.deps.limits.reserve(m, { userId: locked.userId, tier, currency: locked.currency, amount: locked.amount, periods });
    else assertTierMayPay(tier);
    const reasons = await this.fraudReasons(m, locked);
    const held = reasons.length > 0;
    // The row is held, so the payment is still where it was read.
    return (await this.store.transition(m, locked.id, 'REQUIRES_CONFIRMATION', {
      to: held ? 'REQUIRES_REVIEW' : 'PROCESSING',
      actor,
      reason: held ? `held for review: ${reasons.join(', ')}` : 'confirmed',
      reviewReasons: reasons,
      limits: periods,
    }))!;
  }

  /**
   * Cancels a payment not yet processing: one awaiting confirmation, or one
   * held for review (its hold is released). Errors: NOT_FOUND, CONFLICT.
   */
  cancel(ctx: RequestContext, id: string, reason?: string | null): Promise<PaymentRecord> {
    return this.idempotent(ctx, 'cancelPayment', { id, reason: reason ?? null }, async () => {
      const payment = await this.owned(ctx.viewer, id);
      assertTransition(payment.status, 'CANCELED');
      if (payment.status === 'REQUIRES_REVIEW') await this.release(payment);
      const canceled = await this.deps.db.transaction(async (m) => {
        const done = await this.store.transition(m, id, payment.status, { to: 'CANCELED', actor: `user:${ctx.viewer.userId}`, reason: reason?.trim() || 'canceled by the customer' });
        if (done) await this.giveBackLimits(m, payment);
        return done;
      });
      if (!canceled) return this.conflictOrCurrent(id, 'CANCELED');
      return canceled;
    });
  }

  /**
   * Staff decision on a payment held for review: approve (it proceeds) or
   * reject (its hold is released, it fails with the reason). Who may
   * (`payments:review`) is declared on the schema and enforced before this runs.
   * Errors: NOT_FOUND, CONFLICT, BAD_USER_INPUT (reason).
   */
  async decide(ctx: RequestContext, id: string, decision: 'APPROVE' | 'REJECT', reason: string): Promise<PaymentRecord> {
    const why = reason.trim();
    if (why.length < 3 || why.length > 500) throw errors.badInput('Give a reason of 3 to 500 characters.', { field: 'reason' });
    return this.idempotent(ctx, 'decidePayment', { id, decision, reason: why }, async () => {
      const payment = await this.store.get(this.deps.db, id);
      if (!payment) throw errors.notFound('Payment not found.');
      const actor = `staff:${ctx.viewer.userId}`;
      if (decision === 'APPROVE') {
        assertTransition(payment.status, 'PROCESSING');
        const approved = await this.deps.db.transaction((m) => this.store.transition(m, id, 'REQUIRES_REVIEW', { to: 'PROCESSING', actor, reason: `approved: ${why}` }));
        if (!approved) return this.conflictOrCurrent(id, 'PROCESSING');
        return this.advance(approved);
      }
      assertTransition(payment.status, 'FAILED');
      await this.release(payment);
      const rejected = await this.deps.db.transaction(async (m) => {
        const done = await this.store.transition(m, id, 'REQUIRES_REVIEW', {
          to: 'FAILED',
          actor,
          reason: `rejected: ${why}`,
          failure: { code: 'REJECTED_BY_REVIEW', message: 'The payment was declined after a review.' },
        });
        if (done) {
          await this.giveBackLimits(m, payment);
          await writePaymentEvent(m, 'payment.failed', done);
        }
        return done;
      });
      if (!rejected) return this.conflictOrCurrent(id, 'FAILED');
      return rejected;
    });
  }

  /**
   * Pays (part of) a successful payment back. A peer-to-peer payment is sent
   * back by its recipient (their money goes back); a card top-up is refunded
   * to its card by its payer (the money leaves the customer's account and the
   * provider refunds the charge). Staff never move money: refunds need the
   * customer scope `payments:write`, declared on the schema.
   * Payouts and bill payments left for a bank outside Meridian: they come back
   * only when the receiving bank returns them (see providerWebhook). The
   * amount is reserved on the payment first, so concurrent refunds never pay
   * back more than was paid; every step then runs under ids derived from the
   * refund, so a retry with the same key finishes the same refund.
   * Errors: NOT_FOUND, FORBIDDEN (the payer of a peer-to-peer payment),
   * CONFLICT (`state`; reason REFUND_DECLINED when the card's bank declined),
   * BAD_USER_INPUT (`id` for a payout or bill payment, `amount` beyond what is
   * left, `reason`), INSUFFICIENT_FUNDS (the account that pays back no longer
   * holds it), SERVICE_UNAVAILABLE (under way: retry with the same key).
   */
  refund(ctx: RequestContext, id: string, input: { amount?: string | null; reason?: string | null }): Promise<PaymentRecord> {
    return this.idempotent(ctx, 'refundPayment', { id, amount: input.amount ?? null, reason: input.reason ?? null }, async (refundId) => {
      // A retry after SERVICE_UNAVAILABLE finds the refund it started (its id comes from the key): answer how it stands before deciding anything again.
      const started = await this.refunds.get(this.deps.db, refundId);
      if (started) return this.answerRefund(started);
      const { viewer } = ctx;
      const payment = isUuid(id) ? await this.store.get(this.deps.db, id) : null;
      const payer = payment?.userId === viewer.userId;
      const recipient = payment?.kind === 'P2P' && payment.counterpartyUserId === viewer.userId && isReceived(payment);
      if (!payment || !(recipient || payer)) throw errors.notFound('Payment not found.');
      if (payment.kind === 'PAYOUT' || payment.kind === 'BILL') {
        const what = payment.kind === 'BILL' ? 'A bill payment' : 'A payout';
        throw errors.badInput(`${what} left for a bank outside Meridian and cannot be pulled back: it comes back only when the receiving bank returns it.`, {
          field: 'id',
          reason: 'RETURNED_BY_BANK_ONLY',
        });
      }
      if (payment.kind === 'P2P' && !recipient) throw errors.forbidden('Only the recipient can send a payment back.');
      if (payment.status !== 'SUCCEEDED' && payment.status !== 'PARTIALLY_REFUNDED') assertTransition(payment.status, 'REFUNDED');
      const reason = (input.reason ?? '').trim() || (payment.kind === 'CARD' ? 'refunded to the card' : 'sent back');
      if (reason.length > 200) throw errors.badInput('reason is at most 200 characters.', { field: 'reason' });
      const left = payment.amount - payment.refundedAmount;
      const amount = input.amount ? parsePositiveAmount(input.amount, payment.currency) : left;
      // The customer who gives the money back.
      const actor = `user:${viewer.userId}`;
      const refund = await this.deps.db.transaction((m) =>
        this.refunds.reserve(m, { id: refundId, paymentId: payment.id, amount, transferId: derivedId(refundId, 'refund'), actor, reason }),
      );
      if (!refund) throw errors.badInput(`At most ${formatDecimal(left, payment.currency)} ${payment.currency} is left to refund, less any refund under way.`, { field: 'amount' });
      return this.answerRefund(refund);
    });
  }

  /**
   * Moves a PENDING refund on (again: every step is keyed by the refund) and
   * settles it: SUCCEEDED moves the payment to PARTIALLY_REFUNDED or REFUNDED,
   * a refusal fails the refund, frees its amount and is thrown. Peer to peer,
   * the ledger moves the money back from the recipient; a card refund goes
   * through the provider (ProviderRefunds.finishCardRefund); a payout return
   * is paid back from settlement. An unknown outcome leaves it PENDING, asks
   * for a later look (the job queue calls this again), and answers
   * SERVICE_UNAVAILABLE. Repeatable.
   */
  async finishRefund(refundId: string): Promise<PaymentRecord> {
    const refund = (await this.refunds.get(this.deps.db, refundId))!;
    const payment = (await this.store.get(this.deps.db, refund.paymentId))!;
    if (refund.status !== 'PENDING') return payment;
    if (payment.kind === 'CARD') return this.refundFlows().finishCardRefund(refund, payment);
    if (payment.kind !== 'P2P') return this.refundFlows().finishReturn(refund, payment);
    try {
      await this.deps.ledger.move({
        id: refund.transferId,
        code: 'P2P_REFUND',
        description: `Refund: ${payment.description || 'payment'}`,
        from: payment.counterpartyAccountId!,
        to: payment.accountId,
        amount: refund.amount,
        currency: payment.currency,
        causedBy: `payment:${payment.id}`,
      });
    } catch (err) {
      if (err instanceof DomainError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) {
        await this.deps.db.transaction((m) => this.refunds.settle(m, refund.id, { status: 'FAILED', failureCode: err.code }));
        throw err;
      }
      if (err instanceof ServiceCallError || err instanceof DomainError) {
        // Whoever asked may never ask again: the job queue looks later, so no refund stays PENDING for good.
        await this.deps.scheduleRefundCheck?.(refund.id);
        throw errors.unavailable('The refund is under way. Send it again with the same idempotency key to see how it ends.');
      }
      throw err;
    }
    return this.refundFlows().complete(refund);
  }

  /** A refund's answer: finished if still PENDING, its failure if it FAILED, else the payment as it stands. */
  private async answerRefund(refund: RefundRecord): Promise<PaymentRecord> {
    if (refund.status === 'PENDING') return this.finishRefund(refund.id);
    if (refund.status === 'FAILED') throw refundFailure(refund);
    return (await this.store.get(this.deps.db, refund.paymentId))!;
  }

  /** Card refunds and bank returns through the provider, over this service's stores and clients. */
  private refundFlows(): ProviderRefunds {
    const { db, ledger, payouts, scheduleRefundCheck, logger } = this.deps;
    return new ProviderRefunds({ db, ledger, payouts, store: this.store, refunds: this.refunds, scheduleRefundCheck, logger });
  }

  /** A payment the viewer made or received, or any for a payments reviewer (`payments:review`; audited by the caller). Errors: NOT_FOUND. */
  async visible(viewer: AccessTokenClaims, id: string): Promise<PaymentRecord> {
    const payment = await this.store.get(this.deps.db, id);
    const mine = payment && (payment.userId === viewer.userId || (payment.counterpartyUserId === viewer.userId && isReceived(payment)));
    if (!payment || !(mine || hasScope(viewer, 'payments:review'))) throw errors.notFound('Payment not found.');
    return payment;
  }

  /**
   * Moves a payment on from where it stands, each step repeatable: the hold
   * (REQUIRES_REVIEW and PROCESSING), then for PROCESSING the post and
   * SUCCEEDED. A refusal by the ledger fails the payment with its code.
   */
  private async advance(payment: PaymentRecord): Promise<PaymentRecord> {
    if (payment.status !== 'PROCESSING' && payment.status !== 'REQUIRES_REVIEW') return payment;
    const hold = await this.ledgerStep(payment, () =>
      this.deps.ledger.hold({
        id: payment.holdTransferId,
        code: LEDGER_CODES[payment.kind],
        description: payment.description || (payment.kind === 'CARD' ? `Top-up from ${payment.counterpartyName}` : `Payment to ${payment.counterpartyName}`),
        // A card payment brings money in: the customer's account is credited, pending until the charge succeeds.
        from: payment.kind === 'CARD' ? payment.counterpartyAccountId! : payment.accountId,
        to: payment.kind === 'CARD' ? payment.accountId : payment.counterpartyAccountId!,
        amount: payment.amount,
        currency: payment.currency,
        causedBy: `payment:${payment.id}`,
        // A card top-up is booked as a card network books one: the merchant category code of a funding transaction.
        ...(payment.kind === 'CARD' ? { metadata: { mcc: CARD_TOP_UP_MCC, channel: 'CARD' } } : {}),
      }),
    );
    if ('failed' in hold) return hold.failed;
    if (hold.transfer.status === 'VOIDED' || hold.transfer.status === 'EXPIRED') {
      return this.fail(payment, 'HOLD_EXPIRED', 'The payment was held too long and its reservation lapsed.');
    }
    if (payment.status === 'REQUIRES_REVIEW') return payment;
    if (payment.kind !== 'P2P') {
      // The money is held; the provider pays it out (a payee, a biller) or charges the card. Its answer, now or later, finishes the payment.
      const outcome = payment.kind === 'CARD' ? await this.deps.payouts.sendCharge(payment) : await this.deps.payouts.send(payment);
      return this.finishFromProvider(payment.id, outcome);
    }
    return this.settle(payment);
  }

  /**
   * Finishes a payment waiting on the provider: SUCCEEDED posts the hold,
   * DECLINED voids it and fails the payment with the provider's code; WAITING
   * leaves it PROCESSING. Repeatable: a payment already finished is answered as it is.
   */
  async finishFromProvider(paymentId: string, outcome: ProviderOutcome): Promise<PaymentRecord> {
    const payment = (await this.store.get(this.deps.db, paymentId))!;
    if (payment.status !== 'PROCESSING' || outcome.status === 'WAITING') return payment;
    if (outcome.status === 'SUCCEEDED') return this.settle(payment);
    await this.release(payment);
    return this.fail(payment, outcome.code, outcome.message);
  }

  /**
   * Runs a scheduled look at a provider attempt (the job queue calls it): a
   * charge or payout finishes its payment, a refund attempt its refund.
   * Throws while its answer is unknown, so the job runs again.
   */
  async resolveAttempt(attemptId: string): Promise<void> {
    const resolved = await this.deps.payouts.resolve(attemptId, async (attempt) => {
      const payment = (await this.store.get(this.deps.db, attempt.paymentId))!;
      if (attempt.operation === 'REFUND') return this.deps.payouts.sendRefund(payment, (await this.refunds.get(this.deps.db, attempt.refundId!))!);
      return payment.kind === 'CARD' ? this.deps.payouts.sendCharge(payment) : this.deps.payouts.send(payment);
    });
    if (!resolved) return;
    if (resolved.attempt.operation === 'REFUND') await this.refundFlows().applyCardRefundOutcome(resolved.attempt.refundId!, resolved.outcome);
    else await this.finishFromProvider(resolved.attempt.paymentId, resolved.outcome);
  }

  /**
   * A provider webhook (see ProviderPayouts.webhook); answers what it did, for
   * the provider's log. A charge's or payout's outcome finishes its payment, a
   * refund's its refund. A payout return first finishes the payout as paid (a
   * return proves it was, whichever webhook came first), then pays the
   * customer back from settlement. A return not applied because the ledger
   * did not answer is forgotten as received and answered SERVICE_UNAVAILABLE
   * (HTTP 503), so the provider's retry applies it.
   */
  async providerWebhook(headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<'applied' | 'ignored'> {
    const applied = await this.deps.payouts.webhook(headers, rawBody);
    if (!applied) return 'ignored';
    if (applied.type === 'return') {
      try {
        await this.finishFromProvider(applied.attempt.paymentId, { status: 'SUCCEEDED' });
        return await this.refundFlows().applyReturn(applied);
      } catch (err) {
        await this.deps.payouts.attempts.forgetReceipt(this.deps.db, applied.webhookId);
        throw err;
      }
    }
    if (applied.attempt.operation === 'REFUND') await this.refundFlows().applyCardRefundOutcome(applied.attempt.refundId!, applied.outcome);
    else await this.finishFromProvider(applied.attempt.paymentId, applied.outcome);
    return 'applied';
  }

  /** Posts a payment's hold and marks it SUCCEEDED. */
  private async settle(payment: PaymentRecord): Promise<PaymentRecord> {
    const posted = await this.ledgerStep(payment, () => this.deps.ledger.post(payment.holdTransferId, derivedId(payment.holdTransferId, 'post')));
    if ('failed' in posted) return posted.failed;
    const succeeded = await this.store.transition(this.deps.db, payment.id, 'PROCESSING', {
      to: 'SUCCEEDED',
      actor: 'system',
      reason: 'the money moved',
      event: paymentEvent('payment.succeeded', { ...payment, status: 'SUCCEEDED' }),
    });
    return succeeded ?? (await this.store.get(this.deps.db, payment.id))!;
  }

  /**
   * Runs a ledger call. A refusal (a DomainError other than SERVICE_UNAVAILABLE)
   * fails the payment; an unknown outcome leaves it where it is and answers
   * SERVICE_UNAVAILABLE, so the same request (same key) later finishes it.
   */
  private async ledgerStep(payment: PaymentRecord, call: () => Promise<LedgerTransfer>): Promise<{ transfer: LedgerTransfer } | { failed: PaymentRecord }> {
    try {
      return { transfer: await call() };
    } catch (err) {
      if (err instanceof DomainError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) {
        return { failed: await this.fail(payment, err.code, err.message) };
      }
      if (err instanceof ServiceCallError || err instanceof DomainError) {
        this.deps.logger.warn({ err, paymentId: payment.id }, 'the ledger did not answer; the payment stays where it is');
        throw errors.unavailable('The payment is being processed. Confirm it again with the same idempotency key to see how it ends.');
      }
      throw err;
    }
  }

  /** Fails a payment that could not move money, giving back what it had counted against the limits. */
  private async fail(payment: PaymentRecord, code: string, message: string): Promise<PaymentRecord> {
    const failed = await this.deps.db.transaction(async (m) => {
      const done = await this.store.transition(m, payment.id, payment.status, {
        to: 'FAILED',
        actor: 'system',
        reason: `the ledger refused: ${code}`,
        failure: { code, message },
        event: paymentEvent('payment.failed', { ...payment, status: 'FAILED', failureCode: code }),
      });
      if (done) await this.giveBackLimits(m, payment);
      return done;
    });
    return failed ?? (await this.store.get(this.deps.db, payment.id))!;
  }

  /** Releases a payment's hold, if it was placed (voiding an unknown hold is NOT_FOUND: nothing to release). */
  private async release(payment: PaymentRecord): Promise<void> {
    try {
      await this.deps.ledger.void(payment.holdTransferId, derivedId(payment.holdTransferId, 'void'));
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NOT_FOUND) return;
      if (err instanceof DomainError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) throw err;
      throw errors.unavailable('The payment could not be released just now. Try again with the same idempotency key.');
    }
  }

  private async giveBackLimits(q: Queryable, payment: PaymentRecord): Promise<void> {
    if (!payment.limitDay || !payment.limitMonth) return;
    const periods: UsagePeriods = { day: payment.limitDay, month: payment.limitMonth };
    await this.deps.limits.release(q, { userId: payment.userId, currency: payment.currency, amount: payment.amount, periods });
  }

  /** The payment as it stands when a conditional change found it moved by another request: CONFLICT unless it already is where this one was going. */
  private async conflictOrCurrent(id: string, wanted: PaymentStatus): Promise<PaymentRecord> {
    const current = (await this.store.get(this.deps.db, id))!;
    if (current.status === wanted) return current;
    assertTransition(current.status, wanted);
    return current;
  }

  private async fraudReasons(q: Queryable, payment: PaymentRecord): Promise<FraudReason[]> {
    const now = new Date();
    // What the rules read, in one statement (times as epoch milliseconds).
    const [row] = returnedRows(
      await q.query(
        `SELECT
           (SELECT coalesce(array_agg(extract(epoch FROM created_at) * 1000), '{}') FROM payments.payments
             WHERE user_id = $1 AND id <> $2 AND created_at > now() - interval '1 day') AS recent,
           (SELECT coalesce(array_agg(extract(epoch FROM created_at) * 1000), '{}') FROM payments.payees
             WHERE user_id = $1 AND created_at > now() - interval '1 day') AS payees,
           (SELECT coalesce(array_agg(amount::text), '{}') FROM (
              SELECT amount FROM payments.payments WHERE user_id = $1 AND currency = $3 AND status IN ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')
              ORDER BY created_at DESC LIMIT 20) latest) AS amounts,
           earlier.n, extract(epoch FROM earlier.first) * 1000 AS first
         FROM (SELECT count(*)::int AS n, min(created_at) AS first FROM payments.payments
               WHERE user_id = $1 AND id <> $2 AND status IN ('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED')
                 AND (counterparty_user_id = $4 OR payee_id = $5 OR biller_id = $6)) earlier`,
        [payment.userId, payment.id, payment.currency, payment.counterpartyUserId, payment.payeeId, payment.billerId],
      ),
    );
    const times = (values: unknown) => (values as (string | number)[]).map((ms) => new Date(Number(ms)));
    return evaluateFraudRules(
      {
        now,
        amount: payment.amount,
        currency: payment.currency,
        recentPaymentTimes: times(row.recent),
        payeeCreationTimes: times(row.payees),
        recentSuccessfulAmounts: (row.amounts as string[]).map((amount) => BigInt(amount)),
        // A counterparty never paid before is as new as a payee created now.
        payee: { createdAt: row.first === null ? now : new Date(Number(row.first)), earlierPayments: Number(row.n) },
      },
      this.deps.fraudRules,
    );
  }

  /**
   * Stores a payment checked by `prepare` under the id its idempotency key
   * gives it (a request repeated after a crash finds it), with its hold's id
   * derived from it. `fingerprint` is what the key's request is compared by.
   * With `confirm` the payment is created and started in one transaction and
   * then moved on as confirmPayment does: a payment the limits refuse is not
   * created either, and the answer is the payment as confirming it left it.
   * Confirming a large payment at once needs the customer's recent second
   * factor, as confirmPayment does; a scheduled run does not (the customer
   * stepped up when scheduling it).
   */
  private createPrepared<I extends CreateOptions>(
    ctx: RequestContext,
    fingerprint: I,
    scheduledPaymentId: string | null,
    prepare: () => Promise<PreparedPayment>,
  ): Promise<PaymentRecord> {
    // `confirm: false` asks what no `confirm` asks.
    return this.idempotent(ctx, 'createPayment', { ...fingerprint, confirm: fingerprint.confirm === true || undefined }, async (paymentId) => {
      const { tier, ...prepared } = await prepare();
      if (fingerprint.confirm && !scheduledPaymentId) assertStepUpForPayment(ctx.viewer, prepared, this.stepUp, 'createPayment');
      const payment: NewPayment = { ...prepared, id: paymentId, holdTransferId: derivedId(paymentId, 'hold'), scheduledPaymentId };
      const actor = scheduledPaymentId ? 'system' : `user:${ctx.viewer.userId}`;
      if (!fingerprint.confirm) return this.store.create(this.deps.db, payment, actor);
      const started = await this.deps.db.transaction(async (m) => {
        // A payment this transaction inserted is held by it; one a crashed earlier attempt stored is locked here.
        const locked = (await this.store.insert(m, payment, actor)) ?? (await this.store.get(m, paymentId, true))!;
        return this.start(m, locked, tier, actor);
      });
      return this.advance(started);
    });
  }

  /** Amount, currency and description of a create request. Errors: BAD_USER_INPUT. */
  private checkInput(input: { amount: string; currency: string; description?: string | null }) {
    const currency = currencyCode(input.currency);
    return { currency, amount: parsePositiveAmount(input.amount, currency), description: this.description(input.description) };
  }

  /** The payer's tier, refused (FORBIDDEN, TIER_TOO_LOW) when it may not pay anyone. */
  private async payingTier(userId: string): Promise<KycTier> {
    const tier = await this.deps.tiers.tierOf(this.deps.db, userId);
    assertTierMayPay(tier);
    return tier;
  }

  /** One of the customer's saved payees, billers or cards, read by `sql` ($1 id, $2 user). Errors: NOT_FOUND with `field`. */
  private async savedDestination(sql: string, id: string, userId: string, notFound: string, field: string): Promise<Record<string, unknown>> {
    const [row] = isUuid(id) ? await this.deps.db.query(sql, [id, userId]) : [];
    if (!row) throw new DomainError(ErrorCode.NOT_FOUND, notFound, { field });
    return row as Record<string, unknown>;
  }

  private description(input: string | null | undefined): string {
    const description = (input ?? '').trim();
    if (description.length > MAX_DESCRIPTION || /[\u0000-\u001f\u007f]/.test(description)) {
      throw errors.badInput(`description must be at most ${MAX_DESCRIPTION} characters without control characters.`, { field: 'description' });
    }
    return description;
  }

  private async owned(viewer: AccessTokenClaims, id: string): Promise<PaymentRecord> {
    const payment = isUuid(id) ? await this.store.get(this.deps.db, id) : null;
    if (!payment || payment.userId !== viewer.userId) throw errors.notFound('Payment not found.');
    return payment;
  }

  private async ownAccount(userId: string, accountId: string, currency: string) {
    const account = isUuid(accountId) ? await this.deps.ledger.account(accountId) : null;
    if (!account || account.kind !== 'CUSTOMER' || account.ownerId !== userId) throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found.', { field: 'accountId' });
    if (account.status !== 'ACTIVE') throw errors.conflict(`The account is ${account.status.toLowerCase()}.`, { field: 'accountId' });
    if (account.currency !== currency) throw errors.badInput(`The account holds ${account.currency}, not ${currency}.`, { field: 'currency' });
    return account;
  }

  private async findRecipient(recipient: P2PPaymentInput['recipient']) {
    const email = recipient.email?.trim();
    const phone = recipient.phone?.trim();
    if (!!email === !!phone) throw errors.badInput('Give the recipient by email or by phone number, not both.', { field: 'recipient' });
    const found = await this.deps.directory.find(email ? { email } : { phone: phone! });
    if (!found) throw new DomainError(ErrorCode.NOT_FOUND, 'No Meridian customer has this email address or phone number.', { field: 'recipient' });
    return found;
  }

  /**
   * Runs a request under its idempotency key when it has one. The payment a
   * create makes takes an id derived from the key, so a create repeated after
   * a crash finds the payment it made.
   */
  private idempotent<T>(ctx: RequestContext, operation: string, input: unknown, work: (derived: string) => Promise<T>): Promise<T> {
    if (!ctx.idempotencyKey) return work(uuidv7());
    const key = parseIdempotencyKey(ctx.idempotencyKey);
    const derived = derivedId(`${ctx.viewer.userId}/${key}`, operation);
    return this.keys.run(ctx.viewer.userId, key, operation, requestFingerprint(operation, input), () => work(derived));
  }
}

/** ISO 18245 merchant category code of a card top-up: 6012, financial institutions (merchandise and services). */
const CARD_TOP_UP_MCC = '6012';

/** The ledger transfer code of each kind of payment. */
const LEDGER_CODES = { P2P: 'P2P_PAYMENT', PAYOUT: 'PAYOUT', CARD: 'CARD_TOP_UP', BILL: 'BILL_PAYMENT' } as const;

/** Whether the counterparty of a peer-to-peer payment sees it: once the money reached them. */
export function isReceived(p: PaymentRecord): boolean {
  return p.status === 'SUCCEEDED' || p.status === 'PARTIALLY_REFUNDED' || p.status === 'REFUNDED';
}

/**
 * Waits for independent checks run at once and answers their results, or
 * throws the error of the first one (in the order given) that failed, so the
 * caller hears the same refusal as if they had run one after another; no
 * rejection is left unhandled.
 */
async function firstFailureInOrder<T extends unknown[]>(...checks: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(checks);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as T;
}
