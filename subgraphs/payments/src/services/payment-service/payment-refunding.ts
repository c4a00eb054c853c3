import { DomainError, ErrorCode, errors, formatDecimal, isUuid, parsePositiveAmount, ServiceCallError } from '@meridian/platform';
import { derivedId } from '../../domain/ids';
import { isReceived, type PaymentRecord } from '../../domain/payment';
import { assertTransition } from '../../domain/payment-state';
import type { RefundRecord } from '../../data/refund-store';
import { refundFailure } from '../provider-refunds';
import type { RequestContext } from './payment-inputs';
import { PaymentUseCase } from './payment-steps';

/**
 * Refunds of successful payments: reserved on the payment first, then moved
 * by the ledger (peer to peer) or through the provider (card top-ups, see
 * ProviderRefunds), each step keyed by the refund.
 */
export class PaymentRefunding extends PaymentUseCase {
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
    return this.steps.idempotent(ctx, 'refundPayment', { id, amount: input.amount ?? null, reason: input.reason ?? null }, async (refundId) => {
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
    if (payment.kind === 'CARD') return this.steps.refundFlows().finishCardRefund(refund, payment);
    if (payment.kind !== 'P2P') return this.steps.refundFlows().finishReturn(refund, payment);
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
    return this.steps.refundFlows().complete(refund);
  }

  /** A refund's answer: finished if still PENDING, its failure if it FAILED, else the payment as it stands. */
  private async answerRefund(refund: RefundRecord): Promise<PaymentRecord> {
    if (refund.status === 'PENDING') return this.finishRefund(refund.id);
    if (refund.status === 'FAILED') throw refundFailure(refund);
    return (await this.store.get(this.deps.db, refund.paymentId))!;
  }
}
