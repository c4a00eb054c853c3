import { isWithinBasisPoints, median } from './minor-units';

/** FIXED amounts repeat (allowing price changes); VARIABLE ones (utilities, hourly pay) are predicted by their median. */
export type AmountType = 'FIXED' | 'VARIABLE';

/** An amount within ±20 % of the median is "the same payment" (salaries with overtime, FX-priced subscriptions). */
const amountToleranceBp = 2_000n;
/** Amounts within 2 % of each other count as one price. */
const flatToleranceBp = 200n;
/** Payments at the latest price that make it the price, whatever came before. */
const heldPriceMinimum = 3;

/** What a run of amounts looks like. */
export interface AmountProfile {
  type: AmountType;
  median: bigint;
  /** Every amount within ±20 % of the median. */
  withinTolerance: boolean;
  /** Where the price changed (one step between two flat prices), or null. */
  change: { index: number; from: bigint; to: bigint } | null;
}

/** Start of the longest flat stretch of `amounts` that ends just before `end`. */
function flatStart(amounts: readonly bigint[], end: number): number {
  let start = end;
  let low = amounts[end - 1];
  let high = low;
  while (start > 0) {
    const amount = amounts[start - 1];
    const nextLow = amount < low ? amount : low;
    const nextHigh = amount > high ? amount : high;
    if ((nextHigh - nextLow) * 10_000n > flatToleranceBp * nextHigh) break;
    [start, low, high] = [start - 1, nextLow, nextHigh];
  }
  return start;
}

/**
 * FIXED when one price holds: all amounts are flat, or the latest price held for the
 * last three payments (a prorated first charge or an intro offer before it does not
 * matter), or two flat prices of at least two payments each follow one another — a
 * price change, whose latest step is reported.
 */
export function profileAmounts(amounts: readonly bigint[]): AmountProfile {
  if (!amounts.length) return { type: 'VARIABLE', median: 0n, withinTolerance: false, change: null };
  const middle = median(amounts);
  const withinTolerance = amounts.every((amount) => isWithinBasisPoints(amount, middle, amountToleranceBp));
  const latest = flatStart(amounts, amounts.length);
  if (latest === 0) return { type: 'FIXED', median: middle, withinTolerance, change: null };
  const latestCount = amounts.length - latest;
  const previousCount = latest - flatStart(amounts, latest);
  const change = latestCount >= 2 && previousCount >= 2 ? { index: latest, from: amounts[latest - 1], to: amounts[latest] } : null;
  const type = change || latestCount >= heldPriceMinimum ? 'FIXED' : 'VARIABLE';
  return { type, median: middle, withinTolerance, change };
}
