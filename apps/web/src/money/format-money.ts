/** A decimal string as the API writes amounts: an optional minus, digits, optionally a point and more digits. */
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.NumberFormat(locale, options);
    formatters.set(key, cached);
  }
  return cached;
}

/** The number of decimal places a currency has (ISO 4217, as the platform's Intl knows it): 2 for GBP, 0 for JPY. */
export function currencyExponent(currency: string): number {
  return formatter('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Formats an API amount (`Money.amount`, a decimal string such as `"-1234.50"`)
 * in its currency with `Intl.NumberFormat(locale, { style: 'currency' })`,
 * without ever turning it into a floating-point number: the integer part is
 * formatted as a BigInt (exact, with the locale's grouping and digits), the
 * fraction digits are copied from the string, and a template formatted from
 * ±1 places the sign, symbol and separators as the locale does. At least the
 * currency's own decimal places are shown; more are kept, never rounded.
 * Throws RangeError for anything that is not a decimal string.
 */
export function formatMoney(amount: string, currency: string, locale?: string): string {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, minus, integer, written = ''] = match;
  const fraction = written.padEnd(currencyExponent(currency), '0');
  const negative = minus !== undefined && /[1-9]/.test(integer + fraction);
  const digits = fraction.length;
  const money = formatter(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  const grouped = money
    .formatToParts(BigInt(integer))
    .filter((part) => part.type === 'integer' || part.type === 'group')
    .map((part) => part.value)
    .join('');
  const localDigits = formatter(locale, { useGrouping: false, maximumFractionDigits: 0 });
  const localFraction = Array.from(fraction, (digit) => localDigits.format(BigInt(digit))).join('');
  let integerWritten = false;
  return money
    .formatToParts(negative ? -1n : 1n)
    .map((part) => {
      if (part.type === 'integer') {
        // The template has one integer part ("1"); it becomes the whole grouped integer.
        if (integerWritten) return '';
        integerWritten = true;
        return grouped;
      }
      if (part.type === 'group') return '';
      if (part.type === 'fraction') return localFraction;
      return part.value;
    })
    .join('');
}

/** Why an amount typed into a form cannot be sent, or undefined when it can. */
export type AmountProblem = 'EMPTY' | 'NOT_A_NUMBER' | 'NOT_POSITIVE' | 'TOO_MANY_DECIMALS' | 'TOO_LARGE';

/** The largest amount in minor units the ledger holds (a signed 64-bit integer). */
const MAX_MINOR_UNITS = 2n ** 63n - 1n;

/**
 * Reads an amount a person typed ("25", "25.5", "1,250.00") for `currency`:
 * the decimal string to send (`"25.50"`), or the problem. Commas are taken as
 * thousands separators; the decimal separator is a point.
 */
export function parseAmountInput(input: string, currency: string): { amount: string } | { problem: AmountProblem } {
  const text = input.trim().replace(/,/g, '');
  if (text === '') return { problem: 'EMPTY' };
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return { problem: 'NOT_A_NUMBER' };
  const [, integer, written = ''] = match;
  const exponent = currencyExponent(currency);
  const significant = written.replace(/0+$/, '');
  if (significant.length > exponent) return { problem: 'TOO_MANY_DECIMALS' };
  const fraction = significant.padEnd(exponent, '0');
  const minor = BigInt(integer + fraction);
  if (minor === 0n) return { problem: 'NOT_POSITIVE' };
  if (minor > MAX_MINOR_UNITS) return { problem: 'TOO_LARGE' };
  const whole = BigInt(integer).toString();
  return { amount: exponent === 0 ? whole : `${whole}.${fraction}` };
}

/** An API amount in minor units (exact), e.g. `"-12.30"` in GBP is `-1230n`. */
export function toMinorUnits(amount: string, currency: string): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, minus, integer, written = ''] = match;
  const exponent = currencyExponent(currency);
  if (written.replace(/0+$/, '').length > exponent) throw new RangeError(`${amount} has more decimals than ${currency} allows`);
  const minor = BigInt(integer + written.padEnd(exponent, '0').slice(0, exponent));
  return minus ? -minor : minor;
}
