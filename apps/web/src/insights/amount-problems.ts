import type { AmountProblem } from '../money/format-money';

/** What to tell a person about an amount they typed that cannot be sent. */
export const AMOUNT_PROBLEMS: Record<AmountProblem, string> = {
  EMPTY: 'Enter an amount.',
  NOT_A_NUMBER: 'Enter an amount like 25 or 25.50.',
  NOT_POSITIVE: 'Enter an amount greater than zero.',
  TOO_MANY_DECIMALS: 'This currency does not have that many decimal places.',
  TOO_LARGE: 'That amount is too large.',
};
