import type { MeridianError } from '@meridian/client';
import { errorReason, type ErrorMessages } from '../api/error-messages';
import { formatMoney } from '../money/format-money';

/** `extensions.<name>` of a refusal, when it is a string. */
export function extensionOf(error: MeridianError, name: string): string | undefined {
  const value = error.errors[0]?.extensions?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** What LIMIT_EXCEEDED says, from its `reason` and `limit` (a decimal in the payment's currency). */
export function limitMessage(error: MeridianError, currency: string | undefined): string {
  const limit = extensionOf(error, 'limit');
  let shown: string | undefined;
  try {
    shown = limit && currency ? formatMoney(limit, currency) : undefined;
  } catch {
    shown = undefined;
  }
  if (!shown) return `This payment is over your limit. ${error.message}`;
  switch (errorReason(error)) {
    case 'PER_PAYMENT':
      return `A single payment can be at most ${shown}. Pay less, or split it over several days.`;
    case 'DAILY':
      return `This payment would take you over your daily limit of ${shown}. See what is left today under Limits.`;
    case 'MONTHLY':
      return `This payment would take you over your monthly limit of ${shown}. See what is left this month under Limits.`;
    default:
      return `This payment is over your limit of ${shown}.`;
  }
}

/**
 * The wording of every refusal of `createPayment` (with `confirm: true`) and
 * `createScheduledPayment` that is not shown under a field. `button` is the
 * label the person presses to try again.
 */
export function paymentRefusals(currency: string | undefined, button: string): ErrorMessages {
  const unsure = `We could not tell whether the payment went through. Press “${button}” again: the same payment is never made twice, and you will see how it ended.`;
  return {
    LIMIT_EXCEEDED: (error) => limitMessage(error, currency),
    FORBIDDEN: (error) =>
      errorReason(error) === 'TIER_TOO_LOW'
        ? 'Verify your identity before you pay other people: your account is not verified yet.'
        : 'Your sign-in does not allow payments.',
    STEP_UP_REQUIRED: `A payment this large needs you to confirm it is you with a second factor. Press “${button}” to try again.`,
    NOT_FOUND: (error) => error.message,
    CONFLICT: (error) =>
      extensionOf(error, 'reason') === 'TOO_MANY'
        ? `You already have as many as you may keep (${String(error.errors[0]?.extensions?.limit ?? 50)}). Cancel one first.`
        : extensionOf(error, 'state')
          ? `This payment can no longer go ahead: it is ${extensionOf(error, 'state')!.toLowerCase().replace(/_/g, ' ')}.`
          : `${error.message} Choose another account.`,
    INSUFFICIENT_FUNDS: 'There is not enough money in the account for this payment.',
    IDEMPOTENCY_KEY_REUSED: 'This payment was already sent with other details. Check your payments before trying again.',
    SERVICE_UNAVAILABLE: `The payment is still being processed. Press “${button}” again to see how it ended: it will not be paid twice.`,
    NETWORK_ERROR: unsure,
    BAD_RESPONSE: unsure,
    INTERNAL_SERVER_ERROR: unsure,
  };
}
