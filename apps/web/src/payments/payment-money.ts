import { currencyExponent, parseAmountInput, toMinorUnits, type AmountProblem } from '../money/format-money';

/** What a form says for each problem of a typed amount. */
export const AMOUNT_PROBLEMS: Record<AmountProblem, string> = {
  EMPTY: 'Enter an amount.',
  NOT_A_NUMBER: 'Enter an amount like 25 or 25.50.',
  NOT_POSITIVE: 'Enter an amount greater than zero.',
  TOO_MANY_DECIMALS: 'This currency does not have that many decimal places.',
  TOO_LARGE: 'That amount is too large.',
};

/** The form error for a typed amount in `currency`, or null when it can be sent. */
export function amountError(input: string, currency: string): string | null {
  const parsed = parseAmountInput(input, currency);
  return 'problem' in parsed ? AMOUNT_PROBLEMS[parsed.problem] : null;
}

/** Minor units back to the API's decimal string: `123450n` in GBP is `"1234.50"`, in JPY `"123450"`. */
export function fromMinorUnits(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** The sum of API amounts in one currency, exact. */
export function addAmounts(currency: string, ...amounts: string[]): string {
  return fromMinorUnits(
    amounts.reduce((sum, amount) => sum + toMinorUnits(amount, currency), 0n),
    currency,
  );
}

/** How much of `total` `part` is, in whole percent from 0 to 100 (for a bar; the amounts themselves stay exact). */
export function percentOf(part: string, total: string, currency: string): number {
  const whole = toMinorUnits(total, currency);
  if (whole <= 0n) return 0;
  const share = (toMinorUnits(part, currency) * 100n) / whole;
  return Number(share < 0n ? 0n : share > 100n ? 100n : share);
}
