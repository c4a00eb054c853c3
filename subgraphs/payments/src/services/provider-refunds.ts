import { DomainError, ErrorCode, errors, formatDecimal, isErrorCode, isUniqueViolation, ServiceCallError, type Logger } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { LedgerClient, LedgerTransfer } from '../clients/ledger-client';
import type { PaymentStore } from '../data/payment-store';
import type { RefundRecord, RefundStore } from '../data/refund-store';
import { derivedId } from '../domain/ids';
import type { PaymentRecord } from '../domain/payment';
import type { PaymentStatus } from '../domain/payment-state';
import { writePaymentEvent } from './payment-events';
import type { AppliedWebhook, ProviderOutcome, ProviderPayouts } from './provider-payouts';

/** What {@link ProviderRefunds} is built from: payments' stores and the clients money paid back goes through. */
export interface ProviderRefundsDeps {
  db: DataSource;
  ledger: LedgerClient;
  payouts: ProviderPayouts;
  store: PaymentStore;
  refunds: RefundStore;
  /** Asks for a later look at a refund whose outcome is unknown (a job that calls PaymentService.finishRefund). */
  scheduleRefundCheck?: (refundId: string) => Promise<void>;
  logger: Logger;
}

/** A payout return as the provider's webhook reported it. */
export type ReturnWebhook = Extract<AppliedWebhook, { type: 'return' }>;

/** The ledger transfer codes of money paid back through the provider. */
const CARD_REFUND = 'CARD_REFUND';
const PAYOUT_RETURN = 'PAYOUT_RETURN';

/**
 * Money paid back through the payment provider, each step keyed by ids
 * derived from the refund, so any step repeated (a retry with the same key,
 * the refund-check job, a webhook delivered twice) is the one already made:
 *
 * - a card top-up refunded to its card: a ledger hold on the customer's account
 *   towards settlement, the provider's refund of the charge, then the hold
 *   posted (refunded) or voided (declined);
 * - a payout or bill payment the receiving bank sent back: settlement pays the
 *   customer's account back, under a transfer id derived from the payout's attempt.
 */
export class ProviderRefunds {
  constructor(private readonly deps: ProviderRefundsDeps) {}

  /**
   * Moves a PENDING card refund on from where it stands and answers the
   * payment once the money went back. Errors: INSUFFICIENT_FUNDS (or another
   * ledger refusal: the customer's account cannot give the money back; the
   * refund FAILED, its amount freed, nothing moved and the provider not asked);
   * CONFLICT with reason REFUND_DECLINED (the provider declined: hold voided,
   * refund FAILED, amount freed); SERVICE_UNAVAILABLE (the ledger's or the
   * provider's outcome is not known yet, or the provider answered PENDING: the
   * refund stays PENDING, a job or webhook ends it, and the same request
   * later answers how it ended).
   */
  async finishCardRefund(refund: RefundRecord, payment: PaymentRecord): Promise<PaymentRecord> {
    let hold: LedgerTransfer;
    try {
      hold = await this.deps.ledger.hold({
        id: refund.transferId,
        code: CARD_REFUND,
        description: `Refund to ${payment.counterpartyName}`,
        from: payment.accountId,
        to: payment.counterpartyAccountId!,
        amount: refund.amount,
        currency: payment.currency,
        causedBy: `payment:${payment.id}`,
      });
    } catch (err) {
      if (!isRefusal(err)) return this.notKnownYet(refund, err);
      await this.fail(refund, err.code);
      throw err;
    }
    const attemptId = this.deps.payouts.refundAttemptIdOf(refund.id);
    // Posted earlier and only the settling was lost; or voided after a decline, or lapsed, before it was settled.
    if (hold.status === 'POSTED') return this.complete(refund);
    if (hold.status === 'VOIDED' || hold.status === 'EXPIRED') {
      const attempt = await this.deps.payouts.attempts.get(this.deps.db, attemptId);
      if (attempt?.status === 'SUCCEEDED') return this.inconsistent(refund, 'the provider refunded the card but the refund hold lapsed');
      await this.fail(refund, attempt?.status === 'DECLINED' ? String(attempt.response?.declineCode ?? 'declined').toUpperCase() : 'HOLD_EXPIRED');
      throw refundFailure((await this.deps.refunds.get(this.deps.db, refund.id))!);
    }
    let outcome: ProviderOutcome;
    try {
      outcome = await this.deps.payouts.sendRefund(payment, refund);
    } catch (err) {
      // Whatever went wrong, the hold stays until the refund ends: the job looks again.
      await this.deps.scheduleRefundCheck?.(refund.id);
      throw err;
    }
    const after = await this.applyCardRefundOutcome(refund.id, outcome);
    const settled = (await this.deps.refunds.get(this.deps.db, refund.id))!;
    if (settled.status === 'FAILED') throw refundFailure(settled, outcome.status === 'DECLINED' ? outcome.message : undefined);
    if (settled.status === 'PENDING') {
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, "The refund is under way at the card's bank. Send it again with the same idempotency key to see how it ends.", {
        reason: 'REFUND_PENDING',
      });
    }
    return after;
  }

  /**
   * Applies the provider's outcome to a card refund, from the request, a
   * webhook or the job that asks the provider: SUCCEEDED posts the hold and
   * settles the refund (the payment becomes PARTIALLY_REFUNDED or REFUNDED),
   * DECLINED voids it and fails the refund, freeing its amount; WAITING
   * changes nothing. A decline is recorded, not thrown. Repeatable.
   * Errors: SERVICE_UNAVAILABLE (the ledger did not answer; a refund check is scheduled).
   */
  async applyCardRefundOutcome(refundId: string, outcome: ProviderOutcome): Promise<PaymentRecord> {
    const refund = (await this.deps.refunds.get(this.deps.db, refundId))!;
    const payment = (await this.deps.store.get(this.deps.db, refund.paymentId))!;
    if (refund.status !== 'PENDING' || outcome.status === 'WAITING') return payment;
    if (outcome.status === 'SUCCEEDED') {
      try {
        await this.deps.ledger.post(refund.transferId, derivedId(refund.transferId, 'post'));
      } catch (err) {
        if (isRefusal(err)) return this.inconsistent(refund, `the provider refunded the card but the ledger refused to post the hold: ${err.code}`);
        return this.notKnownYet(refund, err);
      }
      return this.complete(refund);
    }
    try {
      await this.deps.ledger.void(refund.transferId, derivedId(refund.transferId, 'void'));
    } catch (err) {
      // Voiding a hold never placed is NOT_FOUND: nothing to release.
      if (!(err instanceof DomainError && err.code === ErrorCode.NOT_FOUND)) {
        if (isRefusal(err)) throw err;
        return this.notKnownYet(refund, err);
      }
    }
    await this.fail(refund, outcome.code);
    return (await this.deps.store.get(this.deps.db, payment.id))!;
  }

  /**
   * Applies a payout return reported by the provider (its payout already
   * finished as paid): records it as a refund by the provider, under an id
   * derived from the payout's attempt, and pays the customer's account back
   * from settlement. Answers `ignored` for a return already applied, one that
   * does not fit the payment (currency, more than is left) or a payment that
   * never succeeded. Errors: SERVICE_UNAVAILABLE (the ledger did not answer: the
   * refund stays PENDING, a refund check is scheduled, and the provider's
   * retry of the webhook finishes it).
   */
  async applyReturn({ attempt, payoutReturn }: ReturnWebhook): Promise<'applied' | 'ignored'> {
    const payment = (await this.deps.store.get(this.deps.db, attempt.paymentId))!;
    const id = derivedId(attempt.id, 'return');
    const logged = { paymentId: payment.id, attemptId: attempt.id, returnCode: payoutReturn.returnCode };
    let refund = await this.deps.refunds.get(this.deps.db, id);
    if (!refund) {
      if ((payment.status !== 'SUCCEEDED' && payment.status !== 'PARTIALLY_REFUNDED') || payoutReturn.currency !== payment.currency) {
        this.deps.logger.error({ ...logged, status: payment.status, currency: payoutReturn.currency }, 'payout return does not fit its payment; ignored');
        return 'ignored';
      }
      refund = await this.reserveReturn(payment, { id, transferId: derivedId(attempt.id, 'return-transfer'), amount: payoutReturn.amount, returnCode: payoutReturn.returnCode });
      if (!refund) {
        this.deps.logger.error({ ...logged, amount: payoutReturn.amount.toString() }, 'payout return of more than is left of the payment; ignored');
        return 'ignored';
      }
    }
    if (refund.status !== 'PENDING') return 'ignored';
    await this.finishReturn(refund, payment);
    return 'applied';
  }

  /**
   * Pays a PENDING return back to the customer's account (again: the ledger
   * knows its transfer id) and settles it. A ledger refusal (the account was
   * closed since) fails the return and is logged for operations: the money
   * stays in settlement. Errors: SERVICE_UNAVAILABLE (a refund check is scheduled).
   */
  async finishReturn(refund: RefundRecord, payment: PaymentRecord): Promise<PaymentRecord> {
    try {
      await this.deps.ledger.move({
        id: refund.transferId,
        code: PAYOUT_RETURN,
        description: `Returned by ${payment.counterpartyName}'s bank`,
        from: payment.counterpartyAccountId!,
        to: payment.accountId,
        amount: refund.amount,
        currency: payment.currency,
        causedBy: `payment:${payment.id}`,
      });
    } catch (err) {
      if (!isRefusal(err)) return this.notKnownYet(refund, err);
      this.deps.logger.error({ err, refundId: refund.id, paymentId: payment.id }, 'the ledger refused a payout return; the money stays in settlement');
      await this.fail(refund, err.code);
      return (await this.deps.store.get(this.deps.db, payment.id))!;
    }
    return this.complete(refund);
  }

  /**
   * Settles a refund whose money moved: the payment becomes PARTIALLY_REFUNDED
   * or REFUNDED, recorded with the refund's actor and reason, and
   * `payment.refunded` is written, in one transaction. Repeatable.
   */
  async complete(refund: RefundRecord): Promise<PaymentRecord> {
    return this.deps.db.transaction(async (m) => {
      const settled = await this.deps.refunds.settle(m, refund.id, { status: 'SUCCEEDED' });
      const current = (await this.deps.store.get(m, refund.paymentId, true))!;
      if (!settled) return current;
      const to: PaymentStatus = settled.refundedAmount === current.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
      const amount = formatDecimal(refund.amount, current.currency);
      const moved = (await this.deps.store.transition(m, current.id, current.status, { to, actor: refund.actor, reason: `refunded ${amount}: ${refund.reason}` }))!;
      // The ledger transfer that moved the money back, so a reader of the ledger can tell it is this payment's refund.
      await writePaymentEvent(m, 'payment.refunded', moved, {
        refundId: refund.id,
        refundAmount: amount,
        refundTransferId: refund.transferId,
        refundedBy: refund.actor.startsWith('provider:') ? 'BANK_RETURN' : 'REFUND',
      });
      return moved;
    });
  }

  /** Records a return as a PENDING refund by the provider; null when it is more than is left. Two deliveries at once record one. */
  private async reserveReturn(payment: PaymentRecord, r: { id: string; transferId: string; amount: bigint; returnCode: string }): Promise<RefundRecord | null> {
    const row = { id: r.id, paymentId: payment.id, amount: r.amount, transferId: r.transferId, actor: `provider:${this.deps.payouts.providerName}`, reason: `returned by the receiving bank: ${r.returnCode}` };
    try {
      return await this.deps.db.transaction((m) => this.deps.refunds.reserve(m, row));
    } catch (err) {
      if (isUniqueViolation(err)) return this.deps.refunds.get(this.deps.db, r.id);
      throw err;
    }
  }

  private async fail(refund: RefundRecord, code: string): Promise<void> {
    await this.deps.db.transaction((m) => this.deps.refunds.settle(m, refund.id, { status: 'FAILED', failureCode: code }));
  }

  /** An outcome not known (the ledger did not answer): the refund stays PENDING and the job looks again. */
  private async notKnownYet(refund: RefundRecord, err: unknown): Promise<never> {
    if (!(err instanceof ServiceCallError || err instanceof DomainError)) throw err;
    this.deps.logger.warn({ err, refundId: refund.id }, 'the ledger did not answer; the refund stays PENDING');
    await this.deps.scheduleRefundCheck?.(refund.id);
    throw errors.unavailable('The refund is under way. Send it again with the same idempotency key to see how it ends.');
  }

  /** A state only operations can untangle: logged as an error, the refund left PENDING. */
  private inconsistent(refund: RefundRecord, what: string): never {
    this.deps.logger.error({ refundId: refund.id, paymentId: refund.paymentId }, `${what}; the refund is left PENDING for operations`);
    throw errors.unavailable('The refund is under way. Send it again with the same idempotency key to see how it ends.');
  }
}

/**
 * The error a FAILED refund answers: the ledger's refusal (INSUFFICIENT_FUNDS,
 * or another code of the catalogue), else CONFLICT with reason REFUND_DECLINED
 * (the provider's decline, e.g. EXPIRED_OR_CANCELED_CARD, is the refund's failureCode).
 */
export function refundFailure(refund: RefundRecord, message?: string): DomainError {
  const code = refund.failureCode ?? 'DECLINED';
  if (code === ErrorCode.INSUFFICIENT_FUNDS) return new DomainError(ErrorCode.INSUFFICIENT_FUNDS, 'The account no longer holds the amount to refund; nothing was refunded.');
  if (isErrorCode(code)) return new DomainError(code, `The refund could not be made (${code}); nothing was refunded.`);
  return errors.conflict(`${message ?? `The refund was declined (${code}).`} Nothing was refunded; the amount may be refunded again.`, { reason: 'REFUND_DECLINED' });
}

/** A ledger refusal: an answer (INSUFFICIENT_FUNDS, a frozen account), not an unknown outcome. */
function isRefusal(err: unknown): err is DomainError {
  return err instanceof DomainError && err.code !== ErrorCode.SERVICE_UNAVAILABLE;
}
