/**
 * Refunds of the simulated provider's charges: a refund names a charge it
 * made and succeeded, and what is left of the charge is read and counted
 * under the charge's lock (shared by replicas through the store), so refunds
 * racing never add up to more than the charge.
 */
import { errors, type KeyValueStore } from '@meridian/platform';
import { ProviderUnavailableError, type ProviderResult, type RefundRequest } from './payment-provider';
import type { AttemptBook, AttemptRecord, SimulatedKeys } from './simulated-attempts';
import { decideRefund } from './simulated-rules';

/** How long the lock on one charge's refunds is held at most, if its holder died. */
const CHARGE_LOCK_TTL_MS = 10_000;

/** What {@link createSimulatedRefunds} works over. */
export interface SimulatedRefundsOptions {
  store: KeyValueStore;
  keys: SimulatedKeys;
  /** How long refunded totals are kept, in ms. */
  retentionMs: number;
  book: AttemptBook;
}

/**
 * Refunds a checked, new refund request (its repeat and its lost-in-transit
 * rule already handled) by the rules of the refund table. Errors:
 * BAD_USER_INPUT (CHARGE_UNKNOWN, PAYMENT_REQUEST_INVALID for another currency,
 * REFUND_EXCEEDS_CHARGE), ProviderUnavailableError while the charge's lock stays taken.
 */
export type RefundCharge = (request: RefundRequest, fingerprint: string) => Promise<ProviderResult>;

/** The refund side of the simulated provider; see the file header. */
export function createSimulatedRefunds(options: SimulatedRefundsOptions): RefundCharge {
  const { store, keys, retentionMs, book } = options;

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
    const entry = await book.read(attemptId);
    if (!entry || entry.kind !== 'CHARGE' || entry.amount === undefined || book.current(entry).status !== 'SUCCEEDED') return null;
    return { attemptId, entry };
  }

  return async (request, fingerprint) => {
    const charge = await refundableCharge(request.charge);
    if (!charge) throw errors.badInput('No successful charge has this reference.', { reason: 'CHARGE_UNKNOWN', field: 'charge' });
    if (charge.entry.currency !== request.currency) throw errors.badInput('currency: must be the charge\'s currency', { reason: 'PAYMENT_REQUEST_INVALID', field: 'currency' });
    // What is left is read and counted under the charge's lock, so refunds racing never add up to more than the charge.
    return withChargeLock(charge.attemptId, request.attemptId, async () => {
      const raced = await book.read(request.attemptId);
      if (raced) return book.replay(request.attemptId, raced, fingerprint);
      const refunded = BigInt((await store.get(keys.refunded(charge.attemptId))) ?? '0');
      if (refunded + request.amount > BigInt(charge.entry.amount!)) {
        throw errors.badInput('The refund is more than is left of the charge.', { reason: 'REFUND_EXCEEDS_CHARGE', field: 'amount' });
      }
      const decision = decideRefund(request, charge.entry.card);
      // A declined refund gives nothing back, so it leaves what is left as it was.
      const counted = decision.outcome.status === 'SUCCEEDED' ? refunded + request.amount : refunded;
      return book.record('REFUND', request, fingerprint, decision, {
        charge: charge.attemptId,
        onRecorded: () => store.set(keys.refunded(charge.attemptId), counted.toString(), retentionMs),
      });
    });
  };
}
