/**
 * The payment provider's webhooks on the wire: the JSON form of a
 * {@link ProviderWebhookEvent} (amounts as decimal strings of minor units,
 * since JSON has no bigint) and the receiving side, which checks the Standard
 * Webhooks signature before it reads a single field.
 */
import { CURRENCIES, DomainError, ErrorCode, MAX_MINOR_UNITS, verifyWebhook, type CurrencyCode, type ErrorDetails } from '@meridian/platform';
import { z } from 'zod';
import { DECLINE_CODES, RETURN_CODES, type ProviderWebhookEvent } from './payment-provider';

/** A webhook that was refused: UNAUTHENTICATED (HTTP 401) for a missing, bad or stale signature, BAD_USER_INPUT (400) for a signed body that is not a valid event. */
export class ProviderWebhookError extends DomainError {
  constructor(
    code: typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.BAD_USER_INPUT,
    message: string,
    /** WEBHOOK_HEADERS_MISSING, WEBHOOK_TIMESTAMP_STALE, WEBHOOK_SIGNATURE_INVALID, WEBHOOK_BODY_INVALID or WEBHOOK_EVENT_INVALID. */
    readonly reason: string,
    details: ErrorDetails = {},
  ) {
    super(code, message, { ...details, reason });
    this.name = 'ProviderWebhookError';
  }
}

/** A webhook whose signature, timestamp and content were accepted. */
export interface ParsedProviderWebhook {
  /** `webhook-id`: the same on every delivery attempt of one message, so receivers can drop repeats. */
  webhookId: string;
  /** `webhook-timestamp` of this delivery attempt. */
  timestamp: Date;
  event: ProviderWebhookEvent;
}

const minorUnits = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, 'must be a positive whole number of minor units as a string')
  .transform((value) => BigInt(value))
  .refine((value) => value <= MAX_MINOR_UNITS, 'is too large');

const fields = {
  attemptId: z.string().min(1).max(255),
  providerRef: z.string().min(1).max(255),
  message: z.string().max(1000).optional(),
  amount: minorUnits,
  currency: z.enum(Object.keys(CURRENCIES) as [CurrencyCode, ...CurrencyCode[]]),
  // The answer to charge/payout is 1, so an event is at least 2.
  sequence: z.number().int().min(2),
  occurredAt: z.iso.datetime({ offset: true }),
};

const paymentKind = z.enum(['CHARGE', 'PAYOUT']);
const refundKind = z.literal('REFUND');
const declined = { status: z.literal('DECLINED'), declineCode: z.enum(DECLINE_CODES) };

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('payment.succeeded'), data: z.object({ ...fields, kind: paymentKind, status: z.literal('SUCCEEDED') }) }),
  z.object({ type: z.literal('payment.failed'), data: z.object({ ...fields, kind: paymentKind, ...declined }) }),
  z.object({ type: z.literal('refund.succeeded'), data: z.object({ ...fields, kind: refundKind, status: z.literal('SUCCEEDED') }) }),
  z.object({ type: z.literal('refund.failed'), data: z.object({ ...fields, kind: refundKind, ...declined }) }),
  // A return has no status of its own: the payout stays paid, and the money comes back beside it.
  z.object({ type: z.literal('payout.returned'), data: z.object({ ...fields, kind: z.literal('PAYOUT'), returnCode: z.enum(RETURN_CODES) }) }),
]);

/** The exact JSON body for `event`, as the provider signs and sends it. */
export function serializeProviderWebhookEvent(event: ProviderWebhookEvent): string {
  return JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

/**
 * Verifies a provider webhook against the exact raw body with the platform's
 * Standard Webhooks check (any of `secrets`, the current one first; a timestamp
 * at most WEBHOOK_TOLERANCE_SECONDS, five minutes, from `now`) and then reads
 * the event. Errors: ProviderWebhookError, UNAUTHENTICATED (reasons
 * WEBHOOK_HEADERS_MISSING, WEBHOOK_TIMESTAMP_STALE, WEBHOOK_SIGNATURE_INVALID)
 * or BAD_USER_INPUT (WEBHOOK_BODY_INVALID: not JSON; WEBHOOK_EVENT_INVALID:
 * not a payment event, `field` naming the first problem).
 */
export function parseProviderWebhook(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
  secrets: string[],
  now: Date = new Date(),
): ParsedProviderWebhook {
  let verified: ReturnType<typeof verifyWebhook>;
  try {
    verified = verifyWebhook(secrets, headers, rawBody, now);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const code = error.code === ErrorCode.UNAUTHENTICATED ? ErrorCode.UNAUTHENTICATED : ErrorCode.BAD_USER_INPUT;
    const reason = typeof error.extensions.reason === 'string' ? error.extensions.reason : 'WEBHOOK_BODY_INVALID';
    throw new ProviderWebhookError(code, error.message, reason);
  }
  const result = eventSchema.safeParse(verified.payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.map(String).join('.');
    const message = `The webhook is not a payment event: ${field ? `${field}: ` : ''}${issue.message}`;
    throw new ProviderWebhookError(ErrorCode.BAD_USER_INPUT, message, 'WEBHOOK_EVENT_INVALID', field ? { field } : {});
  }
  return { webhookId: verified.id, timestamp: verified.timestamp, event: result.data };
}
