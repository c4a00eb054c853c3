import { CURRENCIES, type CurrencyCode } from '@meridian/platform';

// Integer arithmetic on minor units. Money never passes through a float: every
// division says how it rounds, and ratios are integer basis points (1 % = 100 bp).

/** `numerator / denominator` rounded towards negative infinity; the denominator must be positive. */
export function divideFloor(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator < 0n ? quotient - 1n : quotient;
}

/** `numerator / denominator` rounded towards positive infinity; the denominator must be positive. */
export function divideCeil(numerator: bigint, denominator: bigint): bigint {
  return -divideFloor(-numerator, denominator);
}

/** `numerator / denominator` rounded half up (x.5 goes to x + 1, -x.5 to -x); the denominator must be positive. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return divideFloor(2n * numerator + denominator, 2n * denominator);
}

/** The magnitude of an amount. */
export function absolute(amount: bigint): bigint {
  return amount < 0n ? -amount : amount;
}

/** The median of a non-empty list; an even count averages the middle two, rounded half up. */
export function median(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : divideRoundHalfUp(sorted[middle - 1] + sorted[middle], 2n);
}

/** The mean of a non-empty list, rounded half up to the minor unit. */
export function mean(values: readonly bigint[]): bigint {
  return divideRoundHalfUp(
    values.reduce((sum, value) => sum + value, 0n),
    BigInt(values.length),
  );
}

/** True when `amount` is within `basisPoints` of `reference` (both compared by magnitude). */
export function isWithinBasisPoints(amount: bigint, reference: bigint, basisPoints: bigint): boolean {
  return absolute(amount - reference) * 10_000n <= basisPoints * absolute(reference);
}

/**
 * Formats minor units for display with the locale's currency pattern ("£1,234.50",
 * "-£0.05", "1.234,50 €"). The whole and fractional parts are split with integer
 * arithmetic and put into the pattern Intl gives for ±1, so no amount is ever
 * rounded through a float.
 */
export function formatMoney(minor: bigint, currency: CurrencyCode, locale = 'en-GB'): string {
  const { exponent } = CURRENCIES[currency];
  const scale = 10n ** BigInt(exponent);
  const magnitude = absolute(minor);
  const pattern = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).formatToParts(minor < 0n ? -1n : 1n);
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(magnitude / scale);
  const fraction = new Intl.NumberFormat(locale, { minimumIntegerDigits: Math.max(exponent, 1), useGrouping: false });
  return pattern
    .map((part) => {
      if (part.type === 'integer') return whole;
      if (part.type === 'fraction') return fraction.format(magnitude % scale);
      return part.value;
    })
    .join('');
}
