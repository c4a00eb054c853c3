import { returnedRows, type Queryable } from '@meridian/platform';
import { evaluateFraudRules, type FraudReason } from '../../domain/fraud-rules';
import { assertTierMayPay, type KycTier } from '../../domain/limits';
import type { PaymentRecord } from '../../domain/payment';
import { assertTransition } from '../../domain/payment-state';
import { assertStepUpForPayment } from '../../domain/step-up';
import type { RequestContext } from './payment-inputs';
import { PaymentUseCase } from './payment-steps';

/**
 * A payment's way out of REQUIRES_CONFIRMATION: confirmed (tier, limits and
 * fraud rules in one transaction, then the money moves) or cancelled.
 */
export class PaymentConfirmation extends PaymentUseCase {
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
    return this.steps.idempotent(ctx, 'confirmPayment', { id }, async () => {
      const payment = await this.steps.owned(ctx.viewer, id);
      if (payment.status === 'PROCESSING') return this.steps.advance(payment);
      if (payment.status !== 'REQUIRES_CONFIRMATION') assertTransition(payment.status, 'PROCESSING');
      assertStepUpForPayment(ctx.viewer, payment, this.steps.stepUp, 'confirmPayment');
      // Read before the transaction: it may ask KYC, and no call leaves this service while a transaction is held.
      const tier = await this.deps.tiers.tierOf(this.deps.db, payment.userId);
      const started = await this.deps.db.transaction(async (m) => this.start(m, (await this.store.get(m, id, true))!, tier, `user:${ctx.viewer.userId}`));
      return this.steps.advance(started);
    });
  }

  /**
   * The confirmation's checks and its step to PROCESSING (or REQUIRES_REVIEW),
   * in the caller's transaction, on a payment whose row it holds: counted
   * against the limits, then the fraud rules. A payment no longer awaiting
   * confirmation is answered as it is (another request confirmed it).
   * Errors: FORBIDDEN (TIER_TOO_LOW), LIMIT_EXCEEDED.
   */
  async start(m: Queryable, locked: PaymentRecord, tier: KycTier, actor: string): Promise<PaymentRecord> {
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

  /** Why the fraud rules hold `payment` for review (none: it proceeds), read in the caller's transaction. */
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
   * Cancels a payment not yet processing: one awaiting confirmation, or one
   * held for review (its hold is released). Errors: NOT_FOUND, CONFLICT.
   */
  cancel(ctx: RequestContext, id: string, reason?: string | null): Promise<PaymentRecord> {
    return this.steps.idempotent(ctx, 'cancelPayment', { id, reason: reason ?? null }, async () => {
      const payment = await this.steps.owned(ctx.viewer, id);
      assertTransition(payment.status, 'CANCELED');
      if (payment.status === 'REQUIRES_REVIEW') await this.steps.release(payment);
      const canceled = await this.deps.db.transaction(async (m) => {
        const done = await this.store.transition(m, id, payment.status, { to: 'CANCELED', actor: `user:${ctx.viewer.userId}`, reason: reason?.trim() || 'canceled by the customer' });
        if (done) await this.steps.giveBackLimits(m, payment);
        return done;
      });
      if (!canceled) return this.steps.conflictOrCurrent(id, 'CANCELED');
      return canceled;
    });
  }
}
