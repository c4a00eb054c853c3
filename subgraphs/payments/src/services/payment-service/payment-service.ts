import type { AccessTokenClaims } from '@meridian/platform';
import { derivedId } from '../../domain/ids';
import type { PaymentRecord } from '../../domain/payment';
import { assertStepUpForPayment, type StepUpPolicy } from '../../domain/step-up';
import type { NewPayment, PaymentStore } from '../../data/payment-store';
import type { RefundStore } from '../../data/refund-store';
import type { ProviderOutcome } from '../provider-payouts';
import { PaymentConfirmation } from './payment-confirmation';
import type {
  BillPaymentInput,
  CardPaymentInput,
  CreateOptions,
  P2PPaymentInput,
  PaymentServiceDeps,
  PayoutPaymentInput,
  PreparedPayment,
  RequestContext,
} from './payment-inputs';
import { PaymentPreparation } from './payment-preparation';
import { PaymentRefunding } from './payment-refunding';
import { PaymentReview } from './payment-review';
import { PaymentSteps } from './payment-steps';

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
  readonly store: PaymentStore;
  readonly refunds: RefundStore;

  /** Which payments need a recent second factor. */
  readonly stepUp: StepUpPolicy;

  private readonly deps: PaymentServiceDeps;
  private readonly steps: PaymentSteps;
  private readonly preparation: PaymentPreparation;
  private readonly confirmation: PaymentConfirmation;
  private readonly refunding: PaymentRefunding;
  private readonly review: PaymentReview;

  constructor(deps: PaymentServiceDeps) {
    this.deps = deps;
    this.steps = new PaymentSteps(deps);
    this.store = this.steps.store;
    this.refunds = this.steps.refunds;
    this.stepUp = this.steps.stepUp;
    this.preparation = new PaymentPreparation(deps);
    this.confirmation = new PaymentConfirmation(this.steps);
    this.refunding = new PaymentRefunding(this.steps);
    this.review = new PaymentReview(this.steps);
  }

  /**
   * Creates a peer-to-peer payment to another Meridian customer, to be
   * confirmed (or confirmed at once with `confirm`: see createPrepared).
   * Errors: BAD_USER_INPUT (amount, currency, account, recipient, description, paying yourself),
   * NOT_FOUND (no such recipient), FORBIDDEN (TIER_TOO_LOW), IDEMPOTENCY_KEY_REUSED.
   */
  createP2P(ctx: RequestContext, input: P2PPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, input, scheduledPaymentId, () => this.preparation.prepareP2P(ctx.viewer.userId, input));
  }

  /**
   * Creates a payout to one of the customer's saved payees (an external bank
   * account), to be confirmed. The money is held towards the bank's settlement
   * account and leaves through the payment provider.
   * Errors: as createP2P, with NOT_FOUND (`payeeId`) for a payee the customer does not keep.
   */
  createPayout(ctx: RequestContext, input: PayoutPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, { kind: 'PAYOUT', ...input }, scheduledPaymentId, () => this.preparation.preparePayout(ctx.viewer.userId, input));
  }

  /**
   * Creates a bill payment to one of the customer's saved billers, to be
   * confirmed: held towards the settlement account and paid out to the
   * biller's collection account by the provider, with the customer's reference.
   * Errors: as createP2P, with NOT_FOUND (`billerId`) for a biller the customer does not keep.
   */
  createBillPayment(ctx: RequestContext, input: BillPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, { kind: 'BILL', ...input }, scheduledPaymentId, () => this.preparation.prepareBillPayment(ctx.viewer.userId, input));
  }

  /**
   * Creates a card payment: the customer's saved card is charged at the
   * provider and the money reaches their own account. The credit is held
   * (pending, not yet available) until the charge succeeds.
   * Errors: as createP2P, with NOT_FOUND (`cardId`) for a card the customer does not keep.
   */
  createCardPayment(ctx: RequestContext, input: CardPaymentInput, scheduledPaymentId: string | null = null): Promise<PaymentRecord> {
    return this.createPrepared(ctx, { kind: 'CARD', ...input }, scheduledPaymentId, () => this.preparation.prepareCardPayment(ctx.viewer.userId, input));
  }

  /** Checks a peer-to-peer payment as it would be created now: see {@link PaymentPreparation.prepareP2P}. */
  prepareP2P(userId: string, input: P2PPaymentInput): Promise<PreparedPayment> {
    return this.preparation.prepareP2P(userId, input);
  }

  /** Checks a payout as it would be created now: see {@link PaymentPreparation.preparePayout}. */
  preparePayout(userId: string, input: PayoutPaymentInput): Promise<PreparedPayment> {
    return this.preparation.preparePayout(userId, input);
  }

  /** Confirms a payment; see {@link PaymentConfirmation.confirm} for its steps and errors. */
  confirm(ctx: RequestContext, id: string): Promise<PaymentRecord> {
    return this.confirmation.confirm(ctx, id);
  }

  /** Cancels a payment not yet processing; see {@link PaymentConfirmation.cancel}. */
  cancel(ctx: RequestContext, id: string, reason?: string | null): Promise<PaymentRecord> {
    return this.confirmation.cancel(ctx, id, reason);
  }

  /** Staff decision on a payment held for review; see {@link PaymentReview.decide}. */
  decide(ctx: RequestContext, id: string, decision: 'APPROVE' | 'REJECT', reason: string): Promise<PaymentRecord> {
    return this.review.decide(ctx, id, decision, reason);
  }

  /** A payment the viewer may read; see {@link PaymentReview.visible}. */
  visible(viewer: AccessTokenClaims, id: string): Promise<PaymentRecord> {
    return this.review.visible(viewer, id);
  }

  /** Pays (part of) a successful payment back; see {@link PaymentRefunding.refund} for who may and its errors. */
  refund(ctx: RequestContext, id: string, input: { amount?: string | null; reason?: string | null }): Promise<PaymentRecord> {
    return this.refunding.refund(ctx, id, input);
  }

  /** Moves a PENDING refund on and settles it (the refund-check job calls it); see {@link PaymentRefunding.finishRefund}. */
  finishRefund(refundId: string): Promise<PaymentRecord> {
    return this.refunding.finishRefund(refundId);
  }

  /** Finishes a payment waiting on the provider; see {@link PaymentSteps.finishFromProvider}. */
  finishFromProvider(paymentId: string, outcome: ProviderOutcome): Promise<PaymentRecord> {
    return this.steps.finishFromProvider(paymentId, outcome);
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
    if (resolved.attempt.operation === 'REFUND') await this.steps.refundFlows().applyCardRefundOutcome(resolved.attempt.refundId!, resolved.outcome);
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
        return await this.steps.refundFlows().applyReturn(applied);
      } catch (err) {
        await this.deps.payouts.attempts.forgetReceipt(this.deps.db, applied.webhookId);
        throw err;
      }
    }
    if (applied.attempt.operation === 'REFUND') await this.steps.refundFlows().applyCardRefundOutcome(applied.attempt.refundId!, applied.outcome);
    else await this.finishFromProvider(applied.attempt.paymentId, applied.outcome);
    return 'applied';
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
    return this.steps.idempotent(ctx, 'createPayment', { ...fingerprint, confirm: fingerprint.confirm === true || undefined }, async (paymentId) => {
      const { tier, ...prepared } = await prepare();
      if (fingerprint.confirm && !scheduledPaymentId) assertStepUpForPayment(ctx.viewer, prepared, this.stepUp, 'createPayment');
      const payment: NewPayment = { ...prepared, id: paymentId, holdTransferId: derivedId(paymentId, 'hold'), scheduledPaymentId };
      const actor = scheduledPaymentId ? 'system' : `user:${ctx.viewer.userId}`;
      if (!fingerprint.confirm) return this.store.create(this.deps.db, payment, actor);
      const started = await this.deps.db.transaction(async (m) => {
        // A payment this transaction inserted is held by it; one a crashed earlier attempt stored is locked here.
        const locked = (await this.store.insert(m, payment, actor)) ?? (await this.store.get(m, paymentId, true))!;
        return this.confirmation.start(m, locked, tier, actor);
      });
      return this.steps.advance(started);
    });
  }
}
