import { errors } from '@meridian/platform';
import { parseDate, parseMonth } from './calendar';
import { divideRoundHalfUp } from './minor-units';

/** A monthly spending limit for one category, in minor units. */
export interface Budget {
  category: string;
  amount: bigint;
}

/** What a budget's progress is computed from. Amounts are positive minor units of spending. */
export interface BudgetProgressInput {
  budget: Budget;
  /** The budget's month, `YYYY-MM`. */
  month: string;
  /** The customer's local date, `YYYY-MM-DD`; today's spending counts as a day elapsed. */
  today: string;
  /** Spending in the category so far this month, refunds netted. */
  spent: bigint;
  /**
   * Known recurring outflows in the category (from detected streams): what they took
   * so far this month (part of `spent`) and what is still due before the month ends.
   * They are added as they are, not extrapolated.
   */
  recurring?: { spent: bigint; upcoming: bigint };
}

/** Where a budget stands this month. */
export interface BudgetProgress {
  category: string;
  month: string;
  budget: bigint;
  spent: bigint;
  /** Budget minus spent; negative once over. */
  remaining: bigint;
  /** Expected spending by month end (see {@link budgetProgress}). */
  projectedMonthEnd: bigint;
  /** Spent more than the budget. */
  overBudget: boolean;
  /** Projected to spend more than the budget by month end. */
  projectedOver: boolean;
}

/**
 * A budget's progress and month-end projection. With D the days in the month and E
 * the days elapsed (today's day of the month; 0 before the month, D after it):
 *
 *   discretionary = spent − recurring.spent
 *   projected     = spent + round½↑(max(discretionary, 0) × (D − E) / E) + recurring.upcoming
 *
 * which, without recurring outflows, is spent / E × D rounded half up to the minor
 * unit. Known bills are added once instead of being extrapolated (rent on the 1st
 * would otherwise be projected thirty times over), and a month of net refunds
 * projects no further spending rather than negative spending. Before the month
 * starts nothing is extrapolated. Errors: BAD_USER_INPUT (negative budget or recurring
 * amounts, malformed dates).
 */
export function budgetProgress(input: BudgetProgressInput): BudgetProgress {
  const { budget, spent } = input;
  const recurring = input.recurring ?? { spent: 0n, upcoming: 0n };
  if (budget.amount < 0n) throw errors.badInput('A budget cannot be negative.', { field: 'budget.amount' });
  if (recurring.spent < 0n || recurring.upcoming < 0n) {
    throw errors.badInput('Recurring spending cannot be negative.', { field: 'recurring' });
  }
  const start = parseMonth(input.month);
  const daysInMonth = start.daysInMonth as number;
  const elapsedDays = Math.min(Math.max(parseDate(input.today, 'today').diff(start, 'days').days + 1, 0), daysInMonth);
  const discretionary = spent - recurring.spent;
  const extrapolated =
    elapsedDays > 0 && discretionary > 0n
      ? divideRoundHalfUp(discretionary * BigInt(daysInMonth - elapsedDays), BigInt(elapsedDays))
      : 0n;
  const projectedMonthEnd = spent + extrapolated + recurring.upcoming;
  return {
    category: budget.category,
    month: input.month,
    budget: budget.amount,
    spent,
    remaining: budget.amount - spent,
    projectedMonthEnd,
    overBudget: spent > budget.amount,
    projectedOver: projectedMonthEnd > budget.amount,
  };
}
