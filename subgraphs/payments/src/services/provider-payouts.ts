import { DomainError, ErrorCode, formatDecimal, type CurrencyCode, type Logger } from '@meridian/platform';
import pRetry from 'p-retry';
import type { DataSource } from 'typeorm';
import { AttemptStore, type AttemptRecord } from '../data/attempt-store';
import type { BillerStore } from '../data/biller-store';
import type { CardStore } from '../data/card-store';
import type { PayeeStore } from '../data/payee-store';
import type { RefundRecord } from '../data/refund-store';
import { derivedId } from '../domain/ids';
import type { PaymentRecord } from '../domain/payment';
import {
  parseProviderWebhook,
  ProviderTimeoutError,
  ProviderUnavailableError,
  type PaymentProvider,
  type PayoutDestination,
  type ProviderResult,
  type ReturnCode,
} from '../providers';

/** What the provider's answer means for a payment: done, refused, or not known yet (a webhook or a job will tell). */
export type ProviderOutcome = { status: 'SUCCEEDED' } | { status: 'DECLINED'; code: string; message: string } | { status: 'WAITING' };

/** A payout the receiving bank sent back, as the provider's webhook told it. */
export interface PayoutReturn {
  /** Minor units returned. */
  amount: bigint;
  currency: CurrencyCode;
  returnCode: ReturnCode;
  sequence: number;
  occurredAt: string;
}

/** What an accepted webhook changed: an attempt's outcome, or a paid payout sent back (`webhookId` so a failed apply can be retried). */
export type AppliedWebhook =
  | { type: 'outcome'; attempt: AttemptRecord; outcome: ProviderOutcome }
  | { type: 'return'; webhookId: string; attempt: AttemptRecord; payoutReturn: PayoutReturn };

/** Sends the work that must run later: asking the provider again about an attempt. */
export type ScheduleResolve = (attemptId: string, afterSeconds: number) => Promise<void>;

/** What {@link ProviderPayouts} is built from. */
export interface ProviderPayoutsDeps {
  db: DataSource;
  provider: PaymentProvider;
  payees: PayeeStore;
  cards: CardStore;
  billers: BillerStore;
  /** Standard Webhooks secrets of the provider, current first. */
  webhookSecrets: string[];
  schedule: ScheduleResolve;
  logger: Logger;
}

/** How long after a PENDING answer the provider is asked again, if no webhook came first. */
const POLL_AFTER_SECONDS = 30;

/**
 * Payouts, card charges and card refunds at the payment provider, each
 * recorded before it is sent (`provider_attempts`). A payment (a refund) has
 * one attempt id, derived from it, and every retry sends that id, which is
 * the provider's idempotency key: nothing is paid, charged or refunded twice. A transient refusal is retried at once with
 * exponential backoff and jitter; an unknown outcome (a timeout) is resolved
 * by asking the provider (`retrieve`), never by paying again — if the
 * provider never received it, the same attempt is sent again. PENDING answers
 * end by the provider's signed webhook or the next poll.
 */
export class ProviderPayouts {
  readonly attempts = new AttemptStore();

  constructor(private readonly deps: ProviderPayoutsDeps) {}

  /** The attempt id of a payment's payout. */
  attemptIdOf(paymentId: string): string {
    return derivedId(paymentId, 'payout');
  }

  /** The attempt id of a refund paid back to the card at the provider. */
  refundAttemptIdOf(refundId: string): string {
    return derivedId(refundId, 'provider-refund');
  }

  /** The provider's name, as attempts and the actors of what it did are recorded. */
  get providerName(): string {
    return this.deps.provider.name;
  }

  /** Sends a payment's card charge (or reads how its attempt ended), under the one attempt id of the payment. */
  async sendCharge(payment: PaymentRecord): Promise<ProviderOutcome> {
    const id = derivedId(payment.id, 'charge');
    const existing = await this.attempts.get(this.deps.db, id);
    if (existing && isFinal(existing)) return outcomeOf(existing);
    const card = await this.deps.cards.token(this.deps.db, payment.userId, payment.cardId!);
    if (!card || card.provider !== this.deps.provider.name) return { status: 'DECLINED', code: 'CARD_REMOVED', message: 'The card was removed.' };
    await this.attempts.open(this.deps.db, {
      id,
      paymentId: payment.id,
      operation: 'CHARGE',
      // What was asked, without the token: the card and the amount.
      request: { cardId: payment.cardId, amount: formatDecimal(payment.amount, payment.currency), currency: payment.currency },
    });
    return this.call(id, () =>
      this.deps.provider.charge({ attemptId: id, cardToken: card.token, amount: payment.amount, currency: payment.currency, description: (payment.description || 'Meridian top-up').slice(0, 22) }),
    );
  }

  /** Sends a payment's payout to its payee's bank account or its biller (or reads how its attempt ended). */
  async send(payment: PaymentRecord): Promise<ProviderOutcome> {
    const id = this.attemptIdOf(payment.id);
    const existing = await this.attempts.get(this.deps.db, id);
    if (existing && isFinal(existing)) return outcomeOf(existing);
    const destination = await this.destinationOf(payment);
    if (!destination) return { status: 'DECLINED', code: 'PAYEE_GONE', message: 'The payee or biller no longer exists.' };
    await this.attempts.open(this.deps.db, {
      id,
      paymentId: payment.id,
      operation: 'PAYOUT',
      // What was asked, without the account number or the biller reference: who is paid and how much.
      request: { payeeId: payment.payeeId, billerId: payment.billerId, amount: formatDecimal(payment.amount, payment.currency), currency: payment.currency, reference: payment.id },
    });
    return this.call(id, () =>
      this.deps.provider.payout({
        attemptId: id,
        destination,
        name: payment.counterpartyName,
        amount: payment.amount,
        currency: payment.currency,
        reference: (payment.description || `Meridian ${payment.id.slice(0, 8)}`).slice(0, 18),
      }),
    );
  }

  /**
   * Sends a card payment's refund to the provider (or reads how its attempt
   * ended), under the one attempt id of the refund, naming the charge by its
   * provider reference. An attempt the provider answered PENDING is not sent
   * again: its webhook or the poll scheduled with it ends it.
   */
  async sendRefund(payment: PaymentRecord, refund: RefundRecord): Promise<ProviderOutcome> {
    const id = this.refundAttemptIdOf(refund.id);
    const existing = await this.attempts.get(this.deps.db, id);
    if (existing && (isFinal(existing) || existing.status === 'PENDING')) return outcomeOf(existing);
    const charge = await this.attempts.get(this.deps.db, derivedId(payment.id, 'charge'));
    if (!charge || charge.status !== 'SUCCEEDED') return { status: 'DECLINED', code: 'CHARGE_NOT_FOUND', message: 'The card payment has no successful charge to refund.' };
    const chargeRef = charge.providerRef ?? charge.id;
    await this.attempts.open(this.deps.db, {
      id,
      paymentId: payment.id,
      operation: 'REFUND',
      refundId: refund.id,
      request: { refundId: refund.id, charge: chargeRef, amount: formatDecimal(refund.amount, payment.currency), currency: payment.currency, reason: refund.reason },
    });
    return this.call(id, () => this.deps.provider.refund({ attemptId: id, charge: chargeRef, amount: refund.amount, currency: payment.currency, reason: refund.reason }));
  }

  /** Where a payout goes, opened from the sealed payee account or biller reference; null when it is gone. */
  private async destinationOf(payment: PaymentRecord): Promise<PayoutDestination | null> {
    if (payment.kind === 'BILL') {
      const [biller] = await this.deps.db.query(`SELECT biller_code FROM payments.billers WHERE id = $1 AND user_id = $2`, [payment.billerId, payment.userId]);
      const reference = biller ? await this.deps.billers.reference(this.deps.db, payment.userId, payment.billerId!, { includeDeleted: true }) : null;
      return reference ? { kind: 'BILLER', billerCode: biller.biller_code as string, reference } : null;
    }
    const account = await this.deps.payees.account(this.deps.db, payment.userId, payment.payeeId!, { includeDeleted: true });
    if (!account) return null;
    return account.scheme === 'IBAN'
      ? { kind: 'IBAN', iban: account.iban, ...(account.bic ? { bic: account.bic } : {}) }
      : { kind: 'UK', sortCode: account.sortCode, accountNumber: account.accountNumber };
  }

  /**
   * Asks the provider how an attempt ended; one it never received is sent
   * again under the same id. Throws while the answer is still not known, so
   * the job that called it runs again later.
   */
  async resolve(attemptId: string, resend: (attempt: AttemptRecord) => Promise<ProviderOutcome>): Promise<{ attempt: AttemptRecord; outcome: ProviderOutcome } | null> {
    const attempt = await this.attempts.get(this.deps.db, attemptId);
    if (!attempt) return null;
    if (isFinal(attempt)) return { attempt, outcome: outcomeOf(attempt) };
    const result = await this.deps.provider.retrieve(attemptId);
    const outcome = result === null ? await resend(attempt) : await this.apply(attemptId, result, { poll: false });
    if (outcome.status === 'WAITING') throw new Error(`provider attempt ${attemptId} has no final answer yet`);
    return { attempt, outcome };
  }

  /**
   * A provider webhook, checked and applied: a bad or stale signature is
   * UNAUTHENTICATED and changes nothing; a delivery seen before, or an event
   * older than the last one applied to its attempt, is acknowledged and
   * ignored. Answers the attempt and its outcome when the event changed it.
   *
   * A `payout.returned` is answered as a return of its payout. A return
   * proves the payout was paid, so a payout still waiting for its answer is
   * recorded SUCCEEDED first, at the return's sequence: its own success
   * event, older, is ignored when it arrives. A return of a payout the
   * provider declined, or of anything but a payout, is ignored (logged).
   */
  async webhook(headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<AppliedWebhook | null> {
    const { webhookId, event } = parseProviderWebhook(headers, rawBody, this.deps.webhookSecrets);
    if (!(await this.attempts.receipt(this.deps.db, webhookId, this.deps.provider.name, event.type))) return null;
    const attempt = await this.attempts.get(this.deps.db, event.data.attemptId);
    if (!attempt) {
      this.deps.logger.warn({ webhookId, attemptId: event.data.attemptId }, 'provider webhook for an attempt payments never made');
      return null;
    }
    if (event.type === 'payout.returned') {
      const { amount, currency, returnCode, sequence, occurredAt, providerRef } = event.data;
      const paid =
        attempt.operation !== 'PAYOUT' || isFinal(attempt)
          ? attempt
          : ((await this.attempts.record(this.deps.db, attempt.id, { status: 'SUCCEEDED', response: { status: 'SUCCEEDED', providerRef, impliedBy: event.type, sequence, occurredAt }, providerRef, sequence })) ??
            (await this.attempts.get(this.deps.db, attempt.id))!);
      if (paid.operation !== 'PAYOUT' || paid.status !== 'SUCCEEDED') {
        this.deps.logger.warn({ webhookId, attemptId: attempt.id, operation: attempt.operation, status: paid.status }, 'provider reported a return of something it never paid out; ignored');
        return null;
      }
      return { type: 'return', webhookId, attempt: paid, payoutReturn: { amount, currency, returnCode, sequence, occurredAt } };
    }
    const result: ProviderResult = { status: event.data.status, providerRef: event.data.providerRef, ...(event.data.declineCode ? { declineCode: event.data.declineCode } : {}) };
    const changed = await this.attempts.record(this.deps.db, attempt.id, {
      status: result.status,
      response: { ...result, sequence: event.data.sequence, occurredAt: event.data.occurredAt },
      providerRef: result.providerRef,
      sequence: event.data.sequence,
    });
    if (!changed) return null;
    return { type: 'outcome', attempt: changed, outcome: outcomeOf(changed) };
  }

  private async call(attemptId: string, send: () => Promise<ProviderResult>): Promise<ProviderOutcome> {
    try {
      const result = await pRetry(send, {
        retries: 2,
        minTimeout: 100,
        factor: 3,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof ProviderUnavailableError,
        onFailedAttempt: ({ error }) => this.attempts.tried(this.deps.db, attemptId, error.message),
      });
      await this.attempts.tried(this.deps.db, attemptId);
      return await this.apply(attemptId, result, { poll: true });
    } catch (err) {
      if (err instanceof ProviderTimeoutError || err instanceof ProviderUnavailableError) {
        // Not known whether the provider acted: ask it later, never pay again.
        await this.attempts.record(this.deps.db, attemptId, { status: 'UNKNOWN' });
        await this.deps.schedule(attemptId, 2);
        return { status: 'WAITING' };
      }
      if (err instanceof DomainError && err.code === ErrorCode.BAD_USER_INPUT) {
        await this.attempts.record(this.deps.db, attemptId, { status: 'DECLINED', response: { declineCode: 'invalid_request', message: err.message } });
        return { status: 'DECLINED', code: 'INVALID_REQUEST', message: 'The payment provider refused the payment details.' };
      }
      throw err;
    }
  }

  private async apply(attemptId: string, result: ProviderResult, options: { poll: boolean }): Promise<ProviderOutcome> {
    const recorded = await this.attempts.record(this.deps.db, attemptId, { status: result.status, response: { ...result }, providerRef: result.providerRef });
    const attempt = recorded ?? (await this.attempts.get(this.deps.db, attemptId))!;
    if (attempt.status === 'PENDING' && options.poll) await this.deps.schedule(attemptId, POLL_AFTER_SECONDS);
    return outcomeOf(attempt);
  }
}

function isFinal(attempt: AttemptRecord): boolean {
  return attempt.status === 'SUCCEEDED' || attempt.status === 'DECLINED';
}

/** What an attempt's state means for its payment. */
function outcomeOf(attempt: AttemptRecord): ProviderOutcome {
  if (attempt.status === 'SUCCEEDED') return { status: 'SUCCEEDED' };
  if (attempt.status === 'DECLINED') {
    const code = String(attempt.response?.declineCode ?? 'declined').toUpperCase();
    return { status: 'DECLINED', code, message: DECLINE_MESSAGES[code] ?? 'The payment provider declined the payment.' };
  }
  return { status: 'WAITING' };
}

const DECLINE_MESSAGES: Record<string, string> = {
  ACCOUNT_CLOSED: "The payee's bank account is closed.",
  INVALID_ACCOUNT: "The payee's bank account does not exist.",
  INSUFFICIENT_FUNDS: 'The card has insufficient funds.',
  CARD_DECLINED: 'The card was declined.',
  EXPIRED_CARD: 'The card has expired.',
  EXPIRED_OR_CANCELED_CARD: 'The card can no longer receive money; the refund was declined.',
};
