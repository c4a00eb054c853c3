/**
 * A payment provider that runs in-process, for development, tests and the
 * demo. Outcomes depend only on the card number or the payout amount, so
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
 * | anything else                           | SUCCEEDED                                                      |
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
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { assertWebhookSecret, errors, type KeyValueStore } from '@meridian/platform';
import {
  AttemptIdReusedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  type CardToken,
  type ChargeRequest,
  type DeclineCode,
  type ProviderPaymentKind,
  type PaymentProvider,
  type PayoutRequest,
  type ProviderResult,
  type ProviderWebhookEvent,
} from './payment-provider';
import { parseCard, parseChargeRequest, parsePayoutRequest, requestFingerprint } from './provider-requests';
import { serializeProviderWebhookEvent } from './provider-webhook';
import { createWebhookSender, type DeliverWebhook } from './webhook-sender';

/** The card numbers of the table above, by what they do. */
export const SIMULATED_CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expired: '4000000000000069',
  unavailableOnce: '4000000000000119',
  pending: '4000000000003220',
} as const;

/** What a card does when charged, kept with its token instead of the number. */
type CardBehaviour = 'SUCCEED' | 'DECLINE' | 'INSUFFICIENT_FUNDS' | 'EXPIRED' | 'UNAVAILABLE_ONCE' | 'PENDING';

const BEHAVIOUR_OF: Record<string, CardBehaviour> = {
  [SIMULATED_CARDS.declined]: 'DECLINE',
  [SIMULATED_CARDS.insufficientFunds]: 'INSUFFICIENT_FUNDS',
  [SIMULATED_CARDS.expired]: 'EXPIRED',
  [SIMULATED_CARDS.unavailableOnce]: 'UNAVAILABLE_ONCE',
  [SIMULATED_CARDS.pending]: 'PENDING',
};

/** A final outcome without the provider's reference. */
type Outcome = { status: 'SUCCEEDED' } | { status: 'DECLINED'; declineCode: DeclineCode; message: string };

const SUCCEEDED: Outcome = { status: 'SUCCEEDED' };
const declined = (declineCode: DeclineCode, message: string): Outcome => ({ status: 'DECLINED', declineCode, message });

/** What the rules decide: the final outcome, whether it waits for a webhook, and whether the answer is lost after recording. */
interface Decision {
  outcome: Outcome;
  pending?: boolean;
  answerLost?: boolean;
}

const CARD_DECISIONS: Record<CardBehaviour, Decision> = {
  SUCCEED: { outcome: SUCCEEDED },
  UNAVAILABLE_ONCE: { outcome: SUCCEEDED },
  DECLINE: { outcome: declined('card_declined', 'The card was declined.') },
  INSUFFICIENT_FUNDS: { outcome: declined('insufficient_funds', 'The card has insufficient funds.') },
  EXPIRED: { outcome: declined('expired_card', 'The card has expired.') },
  PENDING: { outcome: SUCCEEDED, pending: true },
};

/** The payout rules of the table, after the lost-in-transit one. */
function decidePayout(request: PayoutRequest): Decision {
  const { destination } = request;
  const account = destination.kind === 'IBAN' ? destination.iban : destination.kind === 'UK' ? destination.accountNumber : destination.reference;
  if (account.endsWith('0000')) return { outcome: declined('invalid_account', 'The beneficiary account does not exist.') };
  const ending = request.amount % 100n;
  if (ending === 13n) return { outcome: SUCCEEDED, answerLost: true };
  if (ending === 66n) return { outcome: declined('account_closed', 'The beneficiary account is closed.'), pending: true };
  if (ending === 77n) return { outcome: SUCCEEDED, pending: true };
  return { outcome: SUCCEEDED };
}

/** A token's stored record. */
interface TokenRecord extends Omit<CardToken, 'token'> {
  behaviour: CardBehaviour;
}

/** An attempt's stored record: what was asked (by fingerprint), what was answered, and how it ends. */
interface AttemptRecord {
  kind: ProviderPaymentKind;
  fingerprint: string;
  result: ProviderResult;
  /** For a PENDING result: when it settles (ISO 8601) and how. */
  settlement?: { at: string; result: ProviderResult };
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
}

/** The simulated provider's reference for an attempt: `ch_sim_`/`po_sim_` and a SHA-256 of the attemptId, the same on every replica. */
export function simulatedProviderRef(kind: ProviderPaymentKind, attemptId: string): string {
  return `${kind === 'CHARGE' ? 'ch' : 'po'}_sim_${createHash('sha256').update(attemptId).digest('hex').slice(0, 32)}`;
}

/** A provider named `simulated` following the tables above. */
export function createSimulatedPaymentProvider(options: SimulatedPaymentProviderOptions): SimulatedPaymentProvider {
  assertWebhookSecret(options.secret);
  const { store, secret } = options;
  const delayMs = options.delayMs ?? 2000;
  const retentionMs = options.retentionMs ?? 30 * 24 * 60 * 60 * 1000;
  const prefix = options.keyPrefix ?? 'payments:simulated-provider:';
  const now = options.now ?? (() => new Date());
  const sender = createWebhookSender({ secret, deliver: options.deliver, retry: options.retry, logger: options.logger, now });
  let stopped = false;

  const keys = {
    token: (token: string) => `${prefix}token:${token}`,
    attempt: (attemptId: string) => `${prefix}attempt:${attemptId}`,
    // Markers of the "first time per attemptId" rules; they are not attempts, and `retrieve` never reads them.
    unavailable: (attemptId: string) => `${prefix}unavailable:${attemptId}`,
    lost: (attemptId: string) => `${prefix}lost:${attemptId}`,
  };

  function ensureRunning(attemptId?: string): void {
    if (stopped) throw new ProviderUnavailableError(attemptId, 'The simulated payment provider is stopped.');
  }

  async function readAttempt(attemptId: string): Promise<AttemptRecord | null> {
    const stored = await store.get(keys.attempt(attemptId));
    return stored === null ? null : (JSON.parse(stored) as AttemptRecord);
  }

  /** The stored answer for a repeat of the same request; AttemptIdReusedError for another request. */
  function replay(attemptId: string, record: AttemptRecord, fingerprint: string): ProviderResult {
    if (record.fingerprint !== fingerprint) throw new AttemptIdReusedError(attemptId);
    return record.result;
  }

  /** Sends the settlement of a PENDING attempt as its second state (sequence 2; the PENDING answer was the first). */
  function scheduleWebhook(kind: ProviderPaymentKind, request: ChargeRequest | PayoutRequest, providerRef: string, outcome: Outcome, occurredAt: string): void {
    const { attemptId, amount, currency } = request;
    const data = { kind, attemptId, providerRef, amount, currency, sequence: 2, occurredAt };
    const event: ProviderWebhookEvent =
      outcome.status === 'SUCCEEDED'
        ? { type: 'payment.succeeded', data: { ...data, status: 'SUCCEEDED' } }
        : { type: 'payment.failed', data: { ...data, ...outcome } };
    // Derived from the payment and the sequence, so the same event always carries the same webhook-id.
    const id = `msg_${createHash('sha256').update(`${providerRef}:${data.sequence}`).digest('hex').slice(0, 32)}`;
    sender.schedule({ id, body: serializeProviderWebhookEvent(event), delayMs, context: { attemptId, providerRef } });
  }

  /**
   * Records the decided attempt unless another call recorded one first, in
   * which case that one is answered; schedules its webhook and loses its
   * answer as the decision says, only in the call that recorded it.
   */
  async function record(kind: ProviderPaymentKind, request: ChargeRequest | PayoutRequest, fingerprint: string, decision: Decision): Promise<ProviderResult> {
    const { attemptId } = request;
    const providerRef = simulatedProviderRef(kind, attemptId);
    const final: ProviderResult = { ...decision.outcome, providerRef };
    const entry: AttemptRecord = decision.pending
      ? { kind, fingerprint, result: { status: 'PENDING', providerRef }, settlement: { at: new Date(now().getTime() + delayMs).toISOString(), result: final } }
      : { kind, fingerprint, result: final };
    if (!(await store.setIfAbsent(keys.attempt(attemptId), JSON.stringify(entry), retentionMs))) {
      const winner = await readAttempt(attemptId);
      // Only an expiry between the two calls leaves nothing; nothing was done, so a retry is safe.
      if (!winner) throw new ProviderUnavailableError(attemptId);
      return replay(attemptId, winner, fingerprint);
    }
    if (entry.settlement) scheduleWebhook(kind, request, providerRef, decision.outcome, entry.settlement.at);
    if (decision.answerLost) throw new ProviderTimeoutError(attemptId);
    return entry.result;
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
      const existing = await readAttempt(request.attemptId);
      if (existing) return replay(request.attemptId, existing, fingerprint);
      const stored = await store.get(keys.token(request.cardToken));
      if (stored === null) throw errors.badInput('No card has this token.', { reason: 'CARD_TOKEN_UNKNOWN', field: 'cardToken' });
      const { behaviour } = JSON.parse(stored) as TokenRecord;
      if (behaviour === 'UNAVAILABLE_ONCE' && (await store.setIfAbsent(keys.unavailable(request.attemptId), '1', retentionMs))) {
        throw new ProviderUnavailableError(request.attemptId);
      }
      return record('CHARGE', request, fingerprint, CARD_DECISIONS[behaviour]);
    },

    async payout(input) {
      ensureRunning(input.attemptId);
      const request = parsePayoutRequest(input);
      const fingerprint = requestFingerprint('PAYOUT', request);
      const existing = await readAttempt(request.attemptId);
      if (existing) return replay(request.attemptId, existing, fingerprint);
      if (request.amount % 100n === 14n && (await store.setIfAbsent(keys.lost(request.attemptId), '1', retentionMs))) {
        throw new ProviderTimeoutError(request.attemptId);
      }
      return record('PAYOUT', request, fingerprint, decidePayout(request));
    },

    async retrieve(attemptId) {
      ensureRunning(attemptId);
      const existing = await readAttempt(attemptId);
      if (!existing) return null;
      const { settlement } = existing;
      return settlement && now().getTime() >= Date.parse(settlement.at) ? settlement.result : existing.result;
    },

    async stop() {
      stopped = true;
      await sender.stop();
    },

    pending: () => sender.pending(),
  };
}
