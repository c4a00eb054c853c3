/**
 * A payment provider that runs in-process, for development, tests and the
 * demo. Outcomes depend only on the card number or the amount, so
 * every path can be triggered on purpose:
 *
 * | Charge with a token of card  | Outcome                                                              |
 * | ---------------------------- | -------------------------------------------------------------------- |
 * | 4242 4242 4242 4242          | SUCCEEDED                                                            |
 * | 5555 5555 5555 4444          | SUCCEEDED                                                            |
 * | 4000 0000 0000 0002          | DECLINED, card_declined                                              |
 * | 4000 0000 0000 9995          | DECLINED, insufficient_funds                                         |
 * | 4000 0000 0000 0069          | DECLINED, expired_card (whatever expiry was given)                   |
 * | 4000 0000 0000 0119          | ProviderUnavailableError the first time per attemptId, then SUCCEEDED |
 * | 4000 0000 0000 3220          | PENDING, then a payment.succeeded webhook after `delayMs`            |
 * | any other valid card         | SUCCEEDED                                                            |
 *
 * | Payout (first rule that applies)        | Outcome                                                        |
 * | --------------------------------------- | -------------------------------------------------------------- |
 * | amount in minor units ending in 14      | ProviderTimeoutError before the provider received it, the first time per attemptId: `retrieve` answers null, and sending it again is processed by the rules below |
 * | IBAN, account number or biller reference ending in 0000 | DECLINED, invalid_account                       |
 * | amount ending in 13 (10.13)             | recorded SUCCEEDED, but the call throws ProviderTimeoutError; `retrieve` and a repeat answer SUCCEEDED |
 * | amount ending in 66                     | PENDING, then a payment.failed webhook (account_closed) after `delayMs` |
 * | amount ending in 77                     | PENDING, then a payment.succeeded webhook after `delayMs`      |
 * | amount ending in 55                     | SUCCEEDED, then returned in full by the receiving bank: a payout.returned webhook (account_closed) after `delayMs` |
 * | anything else                           | SUCCEEDED                                                      |
 *
 * `returnPayout(attemptId)` has the receiving bank send a paid payout back
 * (in full or in part) on demand, once per payout, with a payout.returned webhook.
 *
 * | Refund of a charge (first rule that applies) | Outcome                                              |
 * | -------------------------------------------- | ---------------------------------------------------- |
 * | amount in minor units ending in 14           | ProviderTimeoutError before the provider received it, the first time per attemptId (as for payouts) |
 * | a charge it did not make, or not succeeded   | BAD_USER_INPUT, CHARGE_UNKNOWN; nothing recorded     |
 * | more than is left of the charge after its refunds (succeeded or pending) | BAD_USER_INPUT, REFUND_EXCEEDS_CHARGE; nothing recorded |
 * | amount ending in 66                          | DECLINED, expired_or_canceled_card                   |
 * | a charge on 4000 0000 0000 3220              | PENDING, then a refund.succeeded webhook after `delayMs` |
 * | anything else                                | SUCCEEDED                                            |
 *
 * State lives in the given KeyValueStore, so with Redis it is shared by
 * replicas and survives restarts: card tokens (never the number), and each
 * attempt, claimed with `setIfAbsent` so that concurrent calls with one
 * attemptId record one attempt and all answer what was recorded. A repeat
 * answers the first answer (as Stripe replays idempotent requests); `retrieve`
 * answers the current state. A PENDING attempt settles `delayMs` after it was
 * recorded: from then `retrieve` answers the final result on every replica,
 * and the replica that recorded it sends the webhook. A webhook lost to a
 * restart is not sent again; `retrieve` still answers.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { assertWebhookSecret, createWebhookSender, errors, type DeliverWebhook, type KeyValueStore } from '@meridian/platform';
import {
  ProviderTimeoutError,
  ProviderUnavailableError,
  type CardToken,
  type PaymentProvider,
  type PayoutRequest,
  type ProviderResult,
  type RefundRequest,
  type ReturnCode,
} from './payment-provider';
import { parseCard, parseChargeRequest, parsePayoutRequest, parseRefundRequest, requestFingerprint } from './provider-requests';
import { createAttemptBook, simulatedKeys } from './simulated-attempts';
import { createSimulatedRefunds } from './simulated-refunds';
import { BEHAVIOUR_OF, CARD_DECISIONS, decidePayout, lostInTransit, type CardBehaviour } from './simulated-rules';
import { createSimulatedWebhooks } from './simulated-webhooks';

export { SIMULATED_CARDS } from './simulated-rules';
export { simulatedProviderRef } from './simulated-attempts';

/** A token's stored record. */
interface TokenRecord extends Omit<CardToken, 'token'> {
  behaviour: CardBehaviour;
}

/** Options for {@link createSimulatedPaymentProvider}. */
export interface SimulatedPaymentProviderOptions {
  /** Holds tokens and attempts; Redis in services mode, so replicas share them. */
  store: KeyValueStore;
  /** Signs every webhook (`whsec_…`) and keys card fingerprints. */
  secret: string;
  /** Sends one webhook; a 2xx status is delivered, any other status or a throw is retried. */
  deliver: DeliverWebhook;
  /** Milliseconds from a PENDING answer to its settlement and webhook. Default 2000. */
  delayMs?: number;
  /** Webhook attempts in all, and the wait before the first retry (doubled each time, with jitter). Default 5 attempts, 1000 ms. */
  retry?: { attempts: number; baseMs: number };
  /** How long tokens and attempts are kept, in ms. Default 30 days. */
  retentionMs?: number;
  /** Prefix of every key in `store`. Default `payments:simulated-provider:`. */
  keyPrefix?: string;
  /** Told of failed webhook attempts. Default: nothing is logged. */
  logger?: { warn(obj: object, msg: string): void };
  /** The clock for card expiry, settlement times and webhook timestamps. Default: the system clock. */
  now?: () => Date;
}

/** The simulated provider, with what servers and tests need to shut it down. */
export interface SimulatedPaymentProvider extends PaymentProvider {
  /** Cancels webhooks not yet being sent, waits for the ones under way, and refuses further calls with ProviderUnavailableError. */
  stop(): Promise<void>;
  /** Webhooks scheduled or being sent by this instance. */
  pending(): number;
  /**
   * Has the receiving bank send a paid payout back, once per payout: a
   * payout.returned webhook after `delayMs` (default the provider's). `amount`
   * defaults to all of it; `code` to account_closed. Errors: BAD_USER_INPUT
   * (PAYOUT_UNKNOWN: no paid payout has the attemptId; RETURN_EXCEEDS_PAYOUT),
   * CONFLICT (PAYOUT_ALREADY_RETURNED).
   */
  returnPayout(attemptId: string, options?: { amount?: bigint; code?: ReturnCode; delayMs?: number }): Promise<void>;
}

/** A provider named `simulated` following the tables above. */
export function createSimulatedPaymentProvider(options: SimulatedPaymentProviderOptions): SimulatedPaymentProvider {
  assertWebhookSecret(options.secret);
  const { store, secret } = options;
  const delayMs = options.delayMs ?? 2000;
  const retentionMs = options.retentionMs ?? 30 * 24 * 60 * 60 * 1000;
  const now = options.now ?? (() => new Date());
  const keys = simulatedKeys(options.keyPrefix ?? 'payments:simulated-provider:');
  const sender = createWebhookSender({ secret, deliver: options.deliver, retry: options.retry, logger: options.logger, now });
  const webhooks = createSimulatedWebhooks(sender, delayMs, now);
  const book = createAttemptBook({ store, keys, retentionMs, delayMs, now, webhooks });
  const refundCharge = createSimulatedRefunds({ store, keys, retentionMs, book });
  let stopped = false;

  function ensureRunning(attemptId?: string): void {
    if (stopped) throw new ProviderUnavailableError(attemptId, 'The simulated payment provider is stopped.');
  }

  /**
   * What a payout or refund answers before its own rules: a repeat, what was
   * recorded; an amount lost in transit, ProviderTimeoutError the first time
   * per attemptId (nothing recorded). Null for a request to decide.
   */
  async function repeatOrLost(request: PayoutRequest | RefundRequest, fingerprint: string): Promise<ProviderResult | null> {
    const existing = await book.read(request.attemptId);
    if (existing) return book.replay(request.attemptId, existing, fingerprint);
    if (lostInTransit(request.amount) && (await store.setIfAbsent(keys.lost(request.attemptId), '1', retentionMs))) {
      throw new ProviderTimeoutError(request.attemptId);
    }
    return null;
  }

  return {
    name: 'simulated',

    async tokenizeCard(request) {
      ensureRunning();
      const card = parseCard(request, now());
      // Keyed so that a fingerprint cannot be reversed by hashing candidate numbers without the secret.
      const fingerprint = createHmac('sha256', secret).update(`card-fingerprint:${card.pan}`).digest('base64url').slice(0, 16);
      const token = `tok_sim_${randomBytes(12).toString('hex')}`;
      const stored: TokenRecord = {
        brand: card.brand,
        last4: card.last4,
        expMonth: card.expMonth,
        expYear: card.expYear,
        fingerprint,
        behaviour: BEHAVIOUR_OF[card.pan] ?? 'SUCCEED',
      };
      await store.set(keys.token(token), JSON.stringify(stored), retentionMs);
      return { token, brand: stored.brand, last4: stored.last4, expMonth: stored.expMonth, expYear: stored.expYear, fingerprint };
    },

    async charge(input) {
      ensureRunning(input.attemptId);
      const request = parseChargeRequest(input);
      const fingerprint = requestFingerprint('CHARGE', request);
      const existing = await book.read(request.attemptId);
      if (existing) return book.replay(request.attemptId, existing, fingerprint);
      const stored = await store.get(keys.token(request.cardToken));
      if (stored === null) throw errors.badInput('No card has this token.', { reason: 'CARD_TOKEN_UNKNOWN', field: 'cardToken' });
      const { behaviour } = JSON.parse(stored) as TokenRecord;
      if (behaviour === 'UNAVAILABLE_ONCE' && (await store.setIfAbsent(keys.unavailable(request.attemptId), '1', retentionMs))) {
        throw new ProviderUnavailableError(request.attemptId);
      }
      return book.record('CHARGE', request, fingerprint, CARD_DECISIONS[behaviour], { card: behaviour });
    },

    async payout(input) {
      ensureRunning(input.attemptId);
      const request = parsePayoutRequest(input);
      const fingerprint = requestFingerprint('PAYOUT', request);
      return (await repeatOrLost(request, fingerprint)) ?? book.record('PAYOUT', request, fingerprint, decidePayout(request));
    },

    async refund(input) {
      ensureRunning(input.attemptId);
      const request = parseRefundRequest(input);
      const fingerprint = requestFingerprint('REFUND', request);
      return (await repeatOrLost(request, fingerprint)) ?? refundCharge(request, fingerprint);
    },

    async retrieve(attemptId) {
      ensureRunning(attemptId);
      const existing = await book.read(attemptId);
      return existing ? book.current(existing) : null;
    },

    async returnPayout(attemptId, options = {}) {
      ensureRunning(attemptId);
      const entry = await book.read(attemptId);
      if (!entry || entry.kind !== 'PAYOUT' || entry.amount === undefined || book.current(entry).status !== 'SUCCEEDED') {
        throw errors.badInput('No paid payout has this attemptId.', { reason: 'PAYOUT_UNKNOWN', field: 'attemptId' });
      }
      const amount = options.amount ?? BigInt(entry.amount);
      if (amount <= 0n || amount > BigInt(entry.amount)) throw errors.badInput('A return is above zero and at most what was paid out.', { reason: 'RETURN_EXCEEDS_PAYOUT', field: 'amount' });
      if (!(await store.setIfAbsent(keys.returned(attemptId), '1', retentionMs))) {
        throw errors.conflict('This payout was already returned.', { reason: 'PAYOUT_ALREADY_RETURNED' });
      }
      webhooks.payoutReturn(attemptId, entry, amount, options.code ?? 'account_closed', options.delayMs ?? delayMs);
    },

    async stop() {
      stopped = true;
      await sender.stop();
    },

    pending: () => sender.pending(),
  };
}
