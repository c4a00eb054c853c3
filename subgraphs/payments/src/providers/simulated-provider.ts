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
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { assertWebhookSecret, errors, type CurrencyCode, type KeyValueStore } from '@meridian/platform';
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
  type RefundRequest,
  type ReturnCode,
} from './payment-provider';
import { parseCard, parseChargeRequest, parsePayoutRequest, parseRefundRequest, requestFingerprint } from './provider-requests';
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

/** What the rules decide: the final outcome, whether it waits for a webhook, whether the answer is lost after recording, and whether the receiving bank sends it back. */
interface Decision {
  outcome: Outcome;
  pending?: boolean;
  answerLost?: boolean;
  returned?: ReturnCode;
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
  if (ending === 55n) return { outcome: SUCCEEDED, returned: 'account_closed' };
  return { outcome: SUCCEEDED };
}

/** The refund rules of the table, after the lost-in-transit one and the checks against the charge. */
function decideRefund(request: RefundRequest, card: CardBehaviour | undefined): Decision {
  if (request.amount % 100n === 66n) return { outcome: declined('expired_or_canceled_card', 'The card can no longer receive money.') };
  if (card === 'PENDING') return { outcome: SUCCEEDED, pending: true };
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
  /** Minor units asked for, as a string, and the currency. */
  amount?: string;
  currency?: CurrencyCode;
  /** A charge's card behaviour, which its refunds follow. */
  card?: CardBehaviour;
  /** A refund's charge, by its attemptId. */
  charge?: string;
}

/** What else an attempt's record keeps, and what to do only when this call recorded it. */
interface RecordExtras {
  card?: CardBehaviour;
  charge?: string;
  onRecorded?: () => Promise<void>;
}

/** How long the lock on one charge's refunds is held at most, if its holder died. */
const CHARGE_LOCK_TTL_MS = 10_000;

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

const REF_PREFIXES: Record<ProviderPaymentKind, string> = { CHARGE: 'ch', PAYOUT: 'po', REFUND: 're' };

/** The simulated provider's reference for an attempt: `ch_sim_`/`po_sim_`/`re_sim_` and a SHA-256 of the attemptId, the same on every replica. */
export function simulatedProviderRef(kind: ProviderPaymentKind, attemptId: string): string {
  return `${REF_PREFIXES[kind]}_sim_${createHash('sha256').update(attemptId).digest('hex').slice(0, 32)}`;
}

/** The webhook-id of an attempt's event: derived from its reference and sequence, so one event always carries one id. */
function webhookIdOf(providerRef: string, sequence: number): string {
  return `msg_${createHash('sha256').update(`${providerRef}:${sequence}`).digest('hex').slice(0, 32)}`;
}

/** The event that settles a PENDING attempt with `outcome`. */
function settlementEvent(
  kind: ProviderPaymentKind,
  data: { attemptId: string; providerRef: string; amount: bigint; currency: CurrencyCode; sequence: number; occurredAt: string },
  outcome: Outcome,
): ProviderWebhookEvent {
  if (kind === 'REFUND') {
    return outcome.status === 'SUCCEEDED' ? { type: 'refund.succeeded', data: { ...data, kind, status: 'SUCCEEDED' } } : { type: 'refund.failed', data: { ...data, kind, ...outcome } };
  }
  return outcome.status === 'SUCCEEDED' ? { type: 'payment.succeeded', data: { ...data, kind, status: 'SUCCEEDED' } } : { type: 'payment.failed', data: { ...data, kind, ...outcome } };
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
    // A charge's attemptId by its reference, how much of it was refunded, the lock its refunds take, and a payout's return.
    chargeByRef: (providerRef: string) => `${prefix}charge-ref:${providerRef}`,
    refunded: (chargeAttemptId: string) => `${prefix}refunded:${chargeAttemptId}`,
    chargeLock: (chargeAttemptId: string) => `${prefix}charge-lock:${chargeAttemptId}`,
    returned: (attemptId: string) => `${prefix}returned:${attemptId}`,
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

  /** An attempt's result as it stands now: its settlement once due. */
  function current(entry: AttemptRecord): ProviderResult {
    const { settlement } = entry;
    return settlement && now().getTime() >= Date.parse(settlement.at) ? settlement.result : entry.result;
  }

  /** Sends the settlement of a PENDING attempt as its second state (sequence 2; the PENDING answer was the first). */
  function scheduleWebhook(kind: ProviderPaymentKind, request: ChargeRequest | PayoutRequest | RefundRequest, providerRef: string, outcome: Outcome, occurredAt: string): void {
    const { attemptId, amount, currency } = request;
    const event = settlementEvent(kind, { attemptId, providerRef, amount, currency, sequence: 2, occurredAt }, outcome);
    sender.schedule({ id: webhookIdOf(providerRef, 2), body: serializeProviderWebhookEvent(event), delayMs, context: { attemptId, providerRef } });
  }

  /** Sends a payout's return as the state after its last one: 3 after a PENDING answer and its settlement, else 2. */
  function scheduleReturn(attemptId: string, entry: AttemptRecord, amount: bigint, returnCode: ReturnCode, afterMs: number): void {
    const providerRef = entry.result.providerRef;
    const sequence = entry.settlement ? 3 : 2;
    const occurredAt = new Date(Math.max(now().getTime() + afterMs, entry.settlement ? Date.parse(entry.settlement.at) : 0)).toISOString();
    const event: ProviderWebhookEvent = { type: 'payout.returned', data: { kind: 'PAYOUT', attemptId, providerRef, amount, currency: entry.currency!, returnCode, sequence, occurredAt } };
    sender.schedule({ id: webhookIdOf(providerRef, sequence), body: serializeProviderWebhookEvent(event), delayMs: afterMs, context: { attemptId, providerRef } });
  }

  /**
   * Records the decided attempt unless another call recorded one first, in
   * which case that one is answered; schedules its webhooks, runs
   * `extras.onRecorded` and loses its answer as the decision says, only in
   * the call that recorded it.
   */
  async function record(
    kind: ProviderPaymentKind,
    request: ChargeRequest | PayoutRequest | RefundRequest,
    fingerprint: string,
    decision: Decision,
    extras: RecordExtras = {},
  ): Promise<ProviderResult> {
    const { attemptId } = request;
    const providerRef = simulatedProviderRef(kind, attemptId);
    const final: ProviderResult = { ...decision.outcome, providerRef };
    const asked = { amount: request.amount.toString(), currency: request.currency, ...(extras.card ? { card: extras.card } : {}), ...(extras.charge ? { charge: extras.charge } : {}) };
    const entry: AttemptRecord = decision.pending
      ? { kind, fingerprint, result: { status: 'PENDING', providerRef }, settlement: { at: new Date(now().getTime() + delayMs).toISOString(), result: final }, ...asked }
      : { kind, fingerprint, result: final, ...asked };
    if (!(await store.setIfAbsent(keys.attempt(attemptId), JSON.stringify(entry), retentionMs))) {
      const winner = await readAttempt(attemptId);
      // Only an expiry between the two calls leaves nothing; nothing was done, so a retry is safe.
      if (!winner) throw new ProviderUnavailableError(attemptId);
      return replay(attemptId, winner, fingerprint);
    }
    if (kind === 'CHARGE') await store.set(keys.chargeByRef(providerRef), attemptId, retentionMs);
    await extras.onRecorded?.();
    if (entry.settlement) scheduleWebhook(kind, request, providerRef, decision.outcome, entry.settlement.at);
    if (decision.returned && (await store.setIfAbsent(keys.returned(attemptId), '1', retentionMs))) scheduleReturn(attemptId, entry, request.amount, decision.returned, delayMs);
    if (decision.answerLost) throw new ProviderTimeoutError(attemptId);
    return entry.result;
  }

  /** Runs `work` holding the lock on one charge's refunds (shared by replicas through the store). */
  async function withChargeLock<T>(chargeAttemptId: string, attemptId: string, work: () => Promise<T>): Promise<T> {
    const key = keys.chargeLock(chargeAttemptId);
    for (let tries = 0; !(await store.setIfAbsent(key, '1', CHARGE_LOCK_TTL_MS)); tries += 1) {
      if (tries >= 400) throw new ProviderUnavailableError(attemptId, 'The simulated payment provider is busy with this charge; nothing was done. Try again.');
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
    try {
      return await work();
    } finally {
      await store.delete(key);
    }
  }

  /** The charge a refund names, by providerRef or attemptId, when it exists and succeeded. */
  async function refundableCharge(charge: string): Promise<{ attemptId: string; entry: AttemptRecord } | null> {
    const attemptId = (await store.get(keys.chargeByRef(charge))) ?? charge;
    const entry = await readAttempt(attemptId);
    if (!entry || entry.kind !== 'CHARGE' || entry.amount === undefined || current(entry).status !== 'SUCCEEDED') return null;
    return { attemptId, entry };
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
      return record('CHARGE', request, fingerprint, CARD_DECISIONS[behaviour], { card: behaviour });
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

    async refund(input) {
      ensureRunning(input.attemptId);
      const request = parseRefundRequest(input);
      const fingerprint = requestFingerprint('REFUND', request);
      const existing = await readAttempt(request.attemptId);
      if (existing) return replay(request.attemptId, existing, fingerprint);
      if (request.amount % 100n === 14n && (await store.setIfAbsent(keys.lost(request.attemptId), '1', retentionMs))) {
        throw new ProviderTimeoutError(request.attemptId);
      }
      const charge = await refundableCharge(request.charge);
      if (!charge) throw errors.badInput('No successful charge has this reference.', { reason: 'CHARGE_UNKNOWN', field: 'charge' });
      if (charge.entry.currency !== request.currency) throw errors.badInput('currency: must be the charge\'s currency', { reason: 'PAYMENT_REQUEST_INVALID', field: 'currency' });
      // What is left is read and counted under the charge's lock, so refunds racing never add up to more than the charge.
      return withChargeLock(charge.attemptId, request.attemptId, async () => {
        const raced = await readAttempt(request.attemptId);
        if (raced) return replay(request.attemptId, raced, fingerprint);
        const refunded = BigInt((await store.get(keys.refunded(charge.attemptId))) ?? '0');
        if (refunded + request.amount > BigInt(charge.entry.amount!)) {
          throw errors.badInput('The refund is more than is left of the charge.', { reason: 'REFUND_EXCEEDS_CHARGE', field: 'amount' });
        }
        const decision = decideRefund(request, charge.entry.card);
        // A declined refund gives nothing back, so it leaves what is left as it was.
        const counted = decision.outcome.status === 'SUCCEEDED' ? refunded + request.amount : refunded;
        return record('REFUND', request, fingerprint, decision, {
          charge: charge.attemptId,
          onRecorded: () => store.set(keys.refunded(charge.attemptId), counted.toString(), retentionMs),
        });
      });
    },

    async retrieve(attemptId) {
      ensureRunning(attemptId);
      const existing = await readAttempt(attemptId);
      return existing ? current(existing) : null;
    },

    async returnPayout(attemptId, options = {}) {
      ensureRunning(attemptId);
      const entry = await readAttempt(attemptId);
      if (!entry || entry.kind !== 'PAYOUT' || entry.amount === undefined || current(entry).status !== 'SUCCEEDED') {
        throw errors.badInput('No paid payout has this attemptId.', { reason: 'PAYOUT_UNKNOWN', field: 'attemptId' });
      }
      const amount = options.amount ?? BigInt(entry.amount);
      if (amount <= 0n || amount > BigInt(entry.amount)) throw errors.badInput('A return is above zero and at most what was paid out.', { reason: 'RETURN_EXCEEDS_PAYOUT', field: 'amount' });
      if (!(await store.setIfAbsent(keys.returned(attemptId), '1', retentionMs))) {
        throw errors.conflict('This payout was already returned.', { reason: 'PAYOUT_ALREADY_RETURNED' });
      }
      scheduleReturn(attemptId, entry, amount, options.code ?? 'account_closed', options.delayMs ?? delayMs);
    },

    async stop() {
      stopped = true;
      await sender.stop();
    },

    pending: () => sender.pending(),
  };
}
