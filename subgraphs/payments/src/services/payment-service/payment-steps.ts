import {
  DomainError,
  ErrorCode,
  errors,
  isUuid,
  ServiceCallError,
  uuidv7,
  type AccessTokenClaims,
  type Queryable,
} from '@meridian/platform';
import type { LedgerTransfer } from '../../clients/ledger-client';
import { derivedId } from '../../domain/ids';
import type { PaymentRecord } from '../../domain/payment';
import { assertTransition, type PaymentStatus } from '../../domain/payment-state';
import { DEFAULT_STEP_UP_POLICY, type StepUpPolicy } from '../../domain/step-up';
import { IdempotencyKeys, parseIdempotencyKey, requestFingerprint } from '../../data/idempotency';
import { PaymentStore } from '../../data/payment-store';
import { RefundStore } from '../../data/refund-store';
import { paymentEvent } from '../payment-events';
import type { ProviderOutcome } from '../provider-payouts';
import { ProviderRefunds } from '../provider-refunds';
import type { UsagePeriods } from '../spending-limits';
import type { PaymentServiceDeps, RequestContext } from './payment-inputs';

/** ISO 18245 merchant category code of a card top-up: 6012, financial institutions (merchandise and services). */
const CARD_TOP_UP_MCC = '6012';

/** The ledger transfer code of each kind of payment. */
const LEDGER_CODES = { P2P: 'P2P_PAYMENT', PAYOUT: 'PAYOUT', CARD: 'CARD_TOP_UP', BILL: 'BILL_PAYMENT' } as const;

/**
 * What the payment use cases share: the stores, requests run under their
 * idempotency key, and the steps that move a payment's money on — the ledger
 * hold, its post or void, failing a payment and giving back its limit usage,
 * each keyed by ids derived from the payment, so a step repeated after a
 * crash, a timeout or a retry is the one the ledger already made.
 */
export class PaymentSteps {
  readonly store = new PaymentStore();
  readonly refunds = new RefundStore();
  private readonly keys: IdempotencyKeys;

  /** Which payments need a recent second factor. */
  readonly stepUp: StepUpPolicy;

  constructor(readonly deps: PaymentServiceDeps) {
    this.keys = new IdempotencyKeys(deps.db);
    this.stepUp = deps.stepUp ?? DEFAULT_STEP_UP_POLICY;
  }

  /**
   * Runs a request under its idempotency key when it has one. The payment a
   * create makes takes an id derived from the key, so a create repeated after
   * a crash finds the payment it made.
   */
  idempotent<T>(ctx: RequestContext, operation: string, input: unknown, work: (derived: string) => Promise<T>): Promise<T> {
    if (!ctx.idempotencyKey) return work(uuidv7());
    const key = parseIdempotencyKey(ctx.idempotencyKey);
    const derived = derivedId(`${ctx.viewer.userId}/${key}`, operation);
    return this.keys.run(ctx.viewer.userId, key, operation, requestFingerprint(operation, input), () => work(derived));
  }

  /** The viewer's own payment. Errors: NOT_FOUND. */
  async owned(viewer: AccessTokenClaims, id: string): Promise<PaymentRecord> {
    const payment = isUuid(id) ? await this.store.get(this.deps.db, id) : null;
    if (!payment || payment.userId !== viewer.userId) throw errors.notFound('Payment not found.');
    return payment;
  }

  /** The payment as it stands when a conditional change found it moved by another request: CONFLICT unless it already is where this one was going. */
  async conflictOrCurrent(id: string, wanted: PaymentStatus): Promise<PaymentRecord> {
    const current = (await this.store.get(this.deps.db, id))!;
    if (current.status === wanted) return current;
    assertTransition(current.status, wanted);
    return current;
  }

  /** Card refunds and bank returns through the provider, over this service's stores and clients. */
  refundFlows(): ProviderRefunds {
    const { db, ledger, payouts, scheduleRefundCheck, logger } = this.deps;
    return new ProviderRefunds({ db, ledger, payouts, store: this.store, refunds: this.refunds, scheduleRefundCheck, logger });
  }

  /**
   * Moves a payment on from where it stands, each step repeatable: the hold
   * (REQUIRES_REVIEW and PROCESSING), then for PROCESSING the post and
   * SUCCEEDED. A refusal by the ledger fails the payment with its code.
   */
  async advance(payment: PaymentRecord): Promise<PaymentRecord> {
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
  async release(payment: PaymentRecord): Promise<void> {
    try {
      await this.deps.ledger.void(payment.holdTransferId, derivedId(payment.holdTransferId, 'void'));
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NOT_FOUND) return;
      if (err instanceof DomainError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) throw err;
      throw errors.unavailable('The payment could not be released just now. Try again with the same idempotency key.');
    }
  }

  /** Gives back what a payment counted against the limits, in the caller's transaction. */
  async giveBackLimits(q: Queryable, payment: PaymentRecord): Promise<void> {
    if (!payment.limitDay || !payment.limitMonth) return;
    const periods: UsagePeriods = { day: payment.limitDay, month: payment.limitMonth };
    await this.deps.limits.release(q, { userId: payment.userId, currency: payment.currency, amount: payment.amount, periods });
  }
}

/** A use case built on the shared steps, with their dependencies and stores at hand. */
export abstract class PaymentUseCase {
  protected readonly deps: PaymentServiceDeps;
  protected readonly store: PaymentStore;
  protected readonly refunds: RefundStore;

  constructor(protected readonly steps: PaymentSteps) {
    this.deps = steps.deps;
    this.store = steps.store;
    this.refunds = steps.refunds;
  }
}
