/**
 * The simulated provider's record of attempts, in its KeyValueStore: each
 * attempt claimed with `setIfAbsent`, so that concurrent calls with one
 * attemptId record one attempt and all answer what was recorded; a repeat
 * answers the first answer, `current` the state as it stands now.
 */
import { createHash } from 'node:crypto';
import type { CurrencyCode, KeyValueStore } from '@meridian/platform';
import {
  AttemptIdReusedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  type ChargeRequest,
  type ProviderPaymentKind,
  type ProviderResult,
  type PayoutRequest,
  type RefundRequest,
} from './payment-provider';
import type { CardBehaviour, Decision } from './simulated-rules';
import type { SimulatedWebhooks } from './simulated-webhooks';

/** An attempt's stored record: what was asked (by fingerprint), what was answered, and how it ends. */
export interface AttemptRecord {
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
export interface RecordExtras {
  card?: CardBehaviour;
  charge?: string;
  onRecorded?: () => Promise<void>;
}

/** A request the provider records as an attempt. */
export type AttemptRequest = ChargeRequest | PayoutRequest | RefundRequest;

const REF_PREFIXES: Record<ProviderPaymentKind, string> = { CHARGE: 'ch', PAYOUT: 'po', REFUND: 're' };

/** The simulated provider's reference for an attempt: `ch_sim_`/`po_sim_`/`re_sim_` and a SHA-256 of the attemptId, the same on every replica. */
export function simulatedProviderRef(kind: ProviderPaymentKind, attemptId: string): string {
  return `${REF_PREFIXES[kind]}_sim_${createHash('sha256').update(attemptId).digest('hex').slice(0, 32)}`;
}

/** The keys of everything the simulated provider keeps, under `prefix`. */
export function simulatedKeys(prefix: string) {
  return {
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
}

/** The keys {@link simulatedKeys} gives. */
export type SimulatedKeys = ReturnType<typeof simulatedKeys>;

/** What {@link createAttemptBook} works over. */
export interface AttemptBookOptions {
  store: KeyValueStore;
  keys: SimulatedKeys;
  /** How long attempts are kept, in ms. */
  retentionMs: number;
  /** Milliseconds from a PENDING answer to its settlement. */
  delayMs: number;
  now: () => Date;
  webhooks: SimulatedWebhooks;
}

/** Reads, replays and records attempts. */
export interface AttemptBook {
  read(attemptId: string): Promise<AttemptRecord | null>;
  /** The stored answer for a repeat of the same request; AttemptIdReusedError for another request. */
  replay(attemptId: string, record: AttemptRecord, fingerprint: string): ProviderResult;
  /** An attempt's result as it stands now: its settlement once due. */
  current(entry: AttemptRecord): ProviderResult;
  /**
   * Records the decided attempt unless another call recorded one first, in
   * which case that one is answered; schedules its webhooks, runs
   * `extras.onRecorded` and loses its answer as the decision says, only in
   * the call that recorded it.
   */
  record(kind: ProviderPaymentKind, request: AttemptRequest, fingerprint: string, decision: Decision, extras?: RecordExtras): Promise<ProviderResult>;
}

/** The attempt record over `options.store`; see the file header. */
export function createAttemptBook(options: AttemptBookOptions): AttemptBook {
  const { store, keys, retentionMs, delayMs, now, webhooks } = options;

  const book: AttemptBook = {
    async read(attemptId) {
      const stored = await store.get(keys.attempt(attemptId));
      return stored === null ? null : (JSON.parse(stored) as AttemptRecord);
    },

    replay(attemptId, record, fingerprint) {
      if (record.fingerprint !== fingerprint) throw new AttemptIdReusedError(attemptId);
      return record.result;
    },

    current(entry) {
      const { settlement } = entry;
      return settlement && now().getTime() >= Date.parse(settlement.at) ? settlement.result : entry.result;
    },

    async record(kind, request, fingerprint, decision, extras = {}) {
      const { attemptId } = request;
      const providerRef = simulatedProviderRef(kind, attemptId);
      const final: ProviderResult = { ...decision.outcome, providerRef };
      const asked = { amount: request.amount.toString(), currency: request.currency, ...(extras.card ? { card: extras.card } : {}), ...(extras.charge ? { charge: extras.charge } : {}) };
      const entry: AttemptRecord = decision.pending
        ? { kind, fingerprint, result: { status: 'PENDING', providerRef }, settlement: { at: new Date(now().getTime() + delayMs).toISOString(), result: final }, ...asked }
        : { kind, fingerprint, result: final, ...asked };
      if (!(await store.setIfAbsent(keys.attempt(attemptId), JSON.stringify(entry), retentionMs))) {
        const winner = await book.read(attemptId);
        // Only an expiry between the two calls leaves nothing; nothing was done, so a retry is safe.
        if (!winner) throw new ProviderUnavailableError(attemptId);
        return book.replay(attemptId, winner, fingerprint);
      }
      if (kind === 'CHARGE') await store.set(keys.chargeByRef(providerRef), attemptId, retentionMs);
      await extras.onRecorded?.();
      if (entry.settlement) webhooks.settlement(kind, request, providerRef, decision.outcome, entry.settlement.at);
      if (decision.returned && (await store.setIfAbsent(keys.returned(attemptId), '1', retentionMs))) webhooks.payoutReturn(attemptId, entry, request.amount, decision.returned, delayMs);
      if (decision.answerLost) throw new ProviderTimeoutError(attemptId);
      return entry.result;
    },
  };
  return book;
}
