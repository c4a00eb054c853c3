import { errors } from '../errors';

/** ISO 4217 currencies Meridian holds, with their minor-unit exponent. */
export const CURRENCIES = {
  USD: { exponent: 2 },
  EUR: { exponent: 2 },
  GBP: { exponent: 2 },
  INR: { exponent: 2 },
  JPY: { exponent: 0 },
} as const;

export type CurrencyCode = keyof typeof CURRENCIES;

/** True when `code` is a currency Meridian holds. */
export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.prototype.hasOwnProperty.call(CURRENCIES, code);
}

/** The currency, or BAD_USER_INPUT. */
export function currencyCode(code: string): CurrencyCode {
  if (!isCurrencyCode(code)) {
    throw errors.badInput(`Unsupported currency ${JSON.stringify(code)}; use one of ${Object.keys(CURRENCIES).join(', ')}.`, { field: 'currency' });
  }
  return code;
}
