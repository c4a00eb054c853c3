/**
 * The simulated provider's webhooks: the settlement of a PENDING attempt and
 * a payout's return, each sent through the platform's webhook sender under a
 * `webhook-id` derived from the attempt's reference and the event's sequence,
 * so one event always carries one id.
 */
import { createHash } from 'node:crypto';
import type { CurrencyCode, WebhookSender } from '@meridian/platform';
import type { ProviderPaymentKind, ProviderWebhookEvent, ReturnCode } from './payment-provider';
import { serializeProviderWebhookEvent } from './provider-webhook';
import type { AttemptRecord, AttemptRequest } from './simulated-attempts';
import type { Outcome } from './simulated-rules';

/** Schedules the simulated provider's webhooks. */
export interface SimulatedWebhooks {
  /** Sends the settlement of a PENDING attempt as its second state (sequence 2; the PENDING answer was the first). */
  settlement(kind: ProviderPaymentKind, request: AttemptRequest, providerRef: string, outcome: Outcome, occurredAt: string): void;
  /** Sends a payout's return as the state after its last one: 3 after a PENDING answer and its settlement, else 2. */
  payoutReturn(attemptId: string, entry: AttemptRecord, amount: bigint, returnCode: ReturnCode, afterMs: number): void;
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

/** The webhooks over `sender`: a settlement is sent `delayMs` after it is scheduled, a return after its own delay; `now` dates a return. */
export function createSimulatedWebhooks(sender: WebhookSender, delayMs: number, now: () => Date): SimulatedWebhooks {
  return {
    settlement(kind, request, providerRef, outcome, occurredAt) {
      const { attemptId, amount, currency } = request;
      const event = settlementEvent(kind, { attemptId, providerRef, amount, currency, sequence: 2, occurredAt }, outcome);
      sender.schedule({ id: webhookIdOf(providerRef, 2), body: serializeProviderWebhookEvent(event), delayMs, context: { attemptId, providerRef } });
    },

    payoutReturn(attemptId, entry, amount, returnCode, afterMs) {
      const providerRef = entry.result.providerRef;
      const sequence = entry.settlement ? 3 : 2;
      const occurredAt = new Date(Math.max(now().getTime() + afterMs, entry.settlement ? Date.parse(entry.settlement.at) : 0)).toISOString();
      const event: ProviderWebhookEvent = { type: 'payout.returned', data: { kind: 'PAYOUT', attemptId, providerRef, amount, currency: entry.currency!, returnCode, sequence, occurredAt } };
      sender.schedule({ id: webhookIdOf(providerRef, sequence), body: serializeProviderWebhookEvent(event), delayMs: afterMs, context: { attemptId, providerRef } });
    },
  };
}
