import { errors, hasScope, type AccessTokenClaims } from '@meridian/platform';
import { isReceived, type PaymentRecord } from '../../domain/payment';
import { assertTransition } from '../../domain/payment-state';
import { writePaymentEvent } from '../payment-events';
import type { RequestContext } from './payment-inputs';
import { PaymentUseCase } from './payment-steps';

/** What payments reviewers do: decide on a payment held for review, and read any payment. */
export class PaymentReview extends PaymentUseCase {
  /**
   * Staff decision on a payment held for review: approve (it proceeds) or
   * reject (its hold is released, it fails with the reason). Who may
   * (`payments:review`) is declared on the schema and enforced before this runs.
   * Errors: NOT_FOUND, CONFLICT, BAD_USER_INPUT (reason).
   */
  async decide(ctx: RequestContext, id: string, decision: 'APPROVE' | 'REJECT', reason: string): Promise<PaymentRecord> {
    const why = reason.trim();
    if (why.length < 3 || why.length > 500) throw errors.badInput('Give a reason of 3 to 500 characters.', { field: 'reason' });
    return this.steps.idempotent(ctx, 'decidePayment', { id, decision, reason: why }, async () => {
      const payment = await this.store.get(this.deps.db, id);
      if (!payment) throw errors.notFound('Payment not found.');
      const actor = `staff:${ctx.viewer.userId}`;
      if (decision === 'APPROVE') {
        assertTransition(payment.status, 'PROCESSING');
        const approved = await this.deps.db.transaction((m) => this.store.transition(m, id, 'REQUIRES_REVIEW', { to: 'PROCESSING', actor, reason: `approved: ${why}` }));
        if (!approved) return this.steps.conflictOrCurrent(id, 'PROCESSING');
        return this.steps.advance(approved);
      }
      assertTransition(payment.status, 'FAILED');
      await this.steps.release(payment);
      const rejected = await this.deps.db.transaction(async (m) => {
        const done = await this.store.transition(m, id, 'REQUIRES_REVIEW', {
          to: 'FAILED',
          actor,
          reason: `rejected: ${why}`,
          failure: { code: 'REJECTED_BY_REVIEW', message: 'The payment was declined after a review.' },
        });
        if (done) {
          await this.steps.giveBackLimits(m, payment);
          await writePaymentEvent(m, 'payment.failed', done);
        }
        return done;
      });
      if (!rejected) return this.steps.conflictOrCurrent(id, 'FAILED');
      return rejected;
    });
  }

  /** A payment the viewer made or received, or any for a payments reviewer (`payments:review`; audited by the caller). Errors: NOT_FOUND. */
  async visible(viewer: AccessTokenClaims, id: string): Promise<PaymentRecord> {
    const payment = await this.store.get(this.deps.db, id);
    const mine = payment && (payment.userId === viewer.userId || (payment.counterpartyUserId === viewer.userId && isReceived(payment)));
    if (!payment || !(mine || hasScope(viewer, 'payments:review'))) throw errors.notFound('Payment not found.');
    return payment;
  }
}
