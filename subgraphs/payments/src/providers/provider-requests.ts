/**
 * Validation of what callers send a payment provider, as a provider's API
 * would refuse it (HTTP 400) before acting. Messages name the field, never
 * the value: a card number must not reach an error, a log or a response.
 */
import { createHash } from 'node:crypto';
import { CURRENCIES, MAX_MINOR_UNITS, errors, type CurrencyCode } from '@meridian/platform';
import cardValidator from 'card-validator';
import { electronicFormatIBAN, isValidBIC, isValidIBAN } from 'ibantools';
import { z } from 'zod';
import type { ProviderCardBrand, ChargeRequest, PayoutRequest, RefundRequest, TokenizeCardRequest } from './payment-provider';

/** A card's details once checked. `pan` (digits only) is not enumerable, so spreading, serialising or logging a ValidCard leaves it out. */
export interface ValidCard {
  readonly pan: string;
  brand: ProviderCardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
}

const BRANDS: Record<string, ProviderCardBrand> = {
  visa: 'visa',
  mastercard: 'mastercard',
  'american-express': 'amex',
  discover: 'discover',
  'diners-club': 'diners',
  jcb: 'jcb',
  unionpay: 'unionpay',
  maestro: 'maestro',
};

// Printable ASCII without spaces, so an id is safe inside a key-value store key.
const attemptId = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters without spaces');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const amount = z
  .bigint({ error: 'must be a bigint in minor units' })
  .positive('must be greater than zero')
  .max(MAX_MINOR_UNITS, 'is too large');
const currency = z.enum(Object.keys(CURRENCIES) as [CurrencyCode, ...CurrencyCode[]], { error: `must be one of ${Object.keys(CURRENCIES).join(', ')}` });

const chargeSchema = z.object({
  attemptId,
  cardToken: z.string().min(1, 'must not be empty').max(255, 'is too long'),
  amount,
  currency,
  description: text(500),
});

const destinationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('IBAN'),
    iban: z
      .string()
      .transform((iban) => electronicFormatIBAN(iban) ?? '')
      .refine((iban) => isValidIBAN(iban), 'must be a valid IBAN'),
    bic: z
      .string()
      .transform((bic) => bic.replace(/\s+/g, '').toUpperCase())
      .refine((bic) => isValidBIC(bic), 'must be a valid BIC')
      .optional(),
  }),
  z.object({
    kind: z.literal('UK'),
    sortCode: z
      .string()
      .regex(/^\d{2}[- ]?\d{2}[- ]?\d{2}$/, 'must be six digits, as 12-34-56 or 123456')
      .transform((sortCode) => sortCode.replace(/\D/g, '')),
    accountNumber: z.string().regex(/^\d{8}$/, 'must be eight digits'),
  }),
  z.object({
    kind: z.literal('BILLER'),
    billerCode: z.string().regex(/^[A-Za-z0-9]{3,20}$/, 'must be 3 to 20 letters and digits'),
    reference: text(40),
  }),
]);

const payoutSchema = z.object({
  attemptId,
  destination: destinationSchema,
  name: text(140),
  amount,
  currency,
  reference: text(140),
});

const refundSchema = z.object({
  attemptId,
  charge: attemptId,
  amount,
  currency,
  reason: text(200),
});

/** The first problem as BAD_USER_INPUT with `reason` and `field`. */
function refuse(error: z.ZodError, reason: string): never {
  const issue = error.issues[0];
  const field = issue.path.map(String).join('.');
  const details = field ? { reason, field } : { reason };
  throw errors.badInput(field ? `${field}: ${issue.message}` : issue.message, details);
}

/** The charge with text trimmed, or BAD_USER_INPUT (reason PAYMENT_REQUEST_INVALID, `field`). */
export function parseChargeRequest(request: ChargeRequest): ChargeRequest {
  const result = chargeSchema.safeParse(request);
  return result.success ? result.data : refuse(result.error, 'PAYMENT_REQUEST_INVALID');
}

/**
 * The payout with text trimmed, the IBAN in electronic form, the BIC in upper
 * case and the sort code as six digits; or BAD_USER_INPUT (reason PAYMENT_REQUEST_INVALID, `field`).
 */
export function parsePayoutRequest(request: PayoutRequest): PayoutRequest {
  const result = payoutSchema.safeParse(request);
  return result.success ? result.data : refuse(result.error, 'PAYMENT_REQUEST_INVALID');
}

/** The refund with its reason trimmed, or BAD_USER_INPUT (reason PAYMENT_REQUEST_INVALID, `field`). */
export function parseRefundRequest(request: RefundRequest): RefundRequest {
  const result = refundSchema.safeParse(request);
  return result.success ? result.data : refuse(result.error, 'PAYMENT_REQUEST_INVALID');
}

function cardRefused(field: keyof TokenizeCardRequest, message: string): never {
  throw errors.badInput(`${field}: ${message}`, { reason: 'CARD_INVALID', field });
}

/**
 * The card checked (number by Luhn and network, expiry not before this month
 * at `now` in UTC, CVC of the network's length), or BAD_USER_INPUT (reason
 * CARD_INVALID, `field`). The number is never quoted back.
 */
export function parseCard(request: TokenizeCardRequest, now: Date): ValidCard {
  const pan = typeof request.pan === 'string' ? request.pan.replace(/[\s-]/g, '') : '';
  const verdict = /^\d{12,19}$/.test(pan) ? cardValidator.number(pan) : undefined;
  if (!verdict?.isValid || !verdict.card) cardRefused('pan', 'is not a valid card number');
  const { expMonth, expYear, cvc } = request;
  if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12) cardRefused('expMonth', 'must be a month from 1 to 12');
  if (!Number.isInteger(expYear) || expYear < 1000 || expYear > 9999) cardRefused('expYear', 'must be a four-digit year');
  // A card is valid to the end of its expiry month.
  if (expYear * 12 + expMonth < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) cardRefused('expYear', 'the card has expired');
  if (typeof cvc !== 'string' || !new RegExp(`^\\d{${verdict.card.code.size}}$`).test(cvc)) {
    cardRefused('cvc', `must be ${verdict.card.code.size} digits`);
  }
  const card = { brand: BRANDS[verdict.card.type] ?? 'unknown', last4: pan.slice(-4), expMonth, expYear };
  return Object.defineProperty(card, 'pan', { value: pan, enumerable: false }) as ValidCard;
}

/** Hex SHA-256 of a parsed request and its kind: the same attemptId with another fingerprint is another request. */
export function requestFingerprint(kind: string, request: ChargeRequest | PayoutRequest | RefundRequest): string {
  // Parsed requests have their keys in schema order, so equal content serialises equally.
  const json = JSON.stringify({ kind, request }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  return createHash('sha256').update(json).digest('hex');
}
