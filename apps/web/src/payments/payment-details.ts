import { isMeridianError } from '@meridian/client';
import type { CreatePaymentInput } from '@meridian/client/web';
import type { AccountSummary } from '../accounts/use-accounts';
import { parseAmountInput } from '../money/format-money';
import { amountError } from './payment-money';

/** Who a payment made from the dashboard goes to. */
export type PaymentTarget = 'P2P' | 'PAYOUT' | 'BILL';

/** The fields of "what to pay, from where, to whom", as typed. */
export interface PaymentDetailsValues {
  kind: PaymentTarget;
  /** For P2P: an email address or a phone number in international form. */
  recipient: string;
  payeeId: string;
  billerId: string;
  accountId: string;
  amount: string;
  description: string;
}

export const EMPTY_PAYMENT_DETAILS: PaymentDetailsValues = { kind: 'P2P', recipient: '', payeeId: '', billerId: '', accountId: '', amount: '', description: '' };

/** The fields a refusal's `extensions.field` may name that these forms show (the API's names are the form's). */
const FORM_FIELDS: ReadonlySet<keyof PaymentDetailsValues> = new Set(['recipient', 'payeeId', 'billerId', 'accountId', 'amount', 'description'] as const);

/** The field of `fields` a refusal is about: `extensions.field` of a BAD_USER_INPUT, NOT_FOUND or CONFLICT. */
export function fieldOfRefusal<F extends string>(error: unknown, fields: ReadonlySet<F>): F | undefined {
  if (!isMeridianError(error, 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT')) return undefined;
  const field = error.errors[0]?.extensions?.field;
  return typeof field === 'string' && fields.has(field as F) ? (field as F) : undefined;
}

/**
 * The payment field a refusal is about, when the form shows it; other
 * refusals (e.g. a recipient without an account in the currency, `field:
 * currency`) are shown above the button instead.
 */
export function refusedPaymentField(error: unknown): keyof PaymentDetailsValues | undefined {
  return fieldOfRefusal(error, FORM_FIELDS);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164: a plus, then 8 to 15 digits not starting with 0 (spaces, dashes, dots and brackets as typed are dropped). */
const PHONE = /^\+[1-9]\d{7,14}$/;
/** Payments' rule for descriptions: at most 140 characters, none of them control or format characters. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/** Reads "ana@example.com" or "+44 7700 900123" as the API's recipient; undefined when it is neither. */
export function parseRecipient(text: string): { email: string } | { phone: string } | undefined {
  const value = text.trim();
  if (EMAIL.test(value)) return { email: value };
  const phone = value.replace(/[\s().-]/g, '');
  return PHONE.test(phone) ? { phone } : undefined;
}

/** What the destination lists hold, to check a chosen id against. */
export interface DestinationIds {
  payees: ReadonlySet<string>;
  billers: ReadonlySet<string>;
}

/** The form errors of the payment fields (null where a field is fine). */
export function paymentDetailErrors(values: PaymentDetailsValues, accounts: ReadonlyMap<string, AccountSummary>, destinations: DestinationIds): Record<keyof PaymentDetailsValues, string | null> {
  const account = accounts.get(values.accountId);
  const description = values.description.trim();
  return {
    kind: null,
    recipient: values.kind === 'P2P' && !parseRecipient(values.recipient) ? 'Enter their email address, or their phone number starting with + and the country code.' : null,
    payeeId: values.kind === 'PAYOUT' && !destinations.payees.has(values.payeeId) ? 'Choose a payee.' : null,
    billerId: values.kind === 'BILL' && !destinations.billers.has(values.billerId) ? 'Choose a biller.' : null,
    accountId: account ? null : 'Choose the account the money leaves.',
    amount: account ? amountError(values.amount, account.currency) : null,
    description: description.length > 140 ? 'Use at most 140 characters.' : UNPRINTABLE.test(description) ? 'Use letters, digits, spaces and punctuation only.' : null,
  };
}

/** The `createPayment` input for checked values (without `confirm`). */
export function paymentInputOf(values: PaymentDetailsValues, account: AccountSummary): CreatePaymentInput {
  const parsed = parseAmountInput(values.amount, account.currency);
  if ('problem' in parsed) throw new RangeError(`amount not checked: ${parsed.problem}`);
  const description = values.description.trim();
  const input: CreatePaymentInput = { kind: values.kind, accountId: account.id, amount: parsed.amount, currency: account.currency };
  if (values.kind === 'P2P') input.recipient = parseRecipient(values.recipient);
  if (values.kind === 'PAYOUT') input.payeeId = values.payeeId;
  if (values.kind === 'BILL') input.billerId = values.billerId;
  if (description) input.description = description;
  return input;
}
