import { errors } from '../errors';
import { CURRENCIES, type CurrencyCode } from './currency';

/** An amount in integer minor units of one currency. Never a float. */
export interface Money {
  amount: bigint;
  currency: CurrencyCode;
}

/** Largest amount a posting or balance may hold: PostgreSQL's bigint. */
export const MAX_MINOR_UNITS = 9_223_372_036_854_775_807n;

const decimalPattern = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string such as "12.34" into minor units, refusing more
 * decimals than the currency has and anything beyond 64 bits.
 * Errors: BAD_USER_INPUT.
 */
export function parseDecimal(input: string, currency: CurrencyCode, field = 'amount'): bigint {
  const match = decimalPattern.exec(input.trim());
  if (!match) throw errors.badInput(`${field} must be a decimal number such as "12.34".`, { field });
  const [, sign, whole, fraction = ''] = match;
  const { exponent } = CURRENCIES[currency];
  if (fraction.length > exponent) {
    throw errors.badInput(`${currency} amounts have at most ${exponent} decimal places.`, { field });
  }
  if (whole.length > 25) throw errors.badInput(`${field} is too large.`, { field });
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor > MAX_MINOR_UNITS) throw errors.badInput(`${field} is too large.`, { field });
  return sign ? -minor : minor;
}

/** A positive amount in minor units from a decimal string. Errors: BAD_USER_INPUT (zero, negative, malformed). */
export function parsePositiveAmount(input: string, currency: CurrencyCode, field = 'amount'): bigint {
  const minor = parseDecimal(input, currency, field);
  if (minor <= 0n) throw errors.badInput(`${field} must be greater than zero.`, { field });
  return minor;
}

/** Formats minor units as a decimal string with the currency's exponent ("-12.30"). */
export function formatDecimal(minor: bigint, currency: CurrencyCode): string {
  const { exponent } = CURRENCIES[currency];
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = exponent ? digits.slice(0, -exponent) : digits;
  const fraction = exponent ? `.${digits.slice(-exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
