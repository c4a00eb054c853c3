import { CURRENCIES, type CurrencyCode } from '@meridian/platform';
import type { BudgetProgress } from './budgets';
import { parseDate, parseMonth } from './calendar';
import { lowBalanceAhead, type CashForecast } from './forecast';
import { absolute, divideCeil, formatMoney, median } from './minor-units';
import { isNewSubscription, type Frequency, type RecurringStream } from './recurring';

export type AlertType = 'UNUSUAL_SPENDING' | 'LOW_BALANCE_AHEAD' | 'BUDGET_EXCEEDED' | 'NEW_SUBSCRIPTION';
export type AlertSeverity = 'INFO' | 'WARNING';

/**
 * An alert a rule would raise. The caller stores it under `dedupeKey` (insert, ignore on
 * conflict), so a rule that fires again for the same thing raises nothing new.
 * Text names only merchants, categories, amounts and dates.
 */
export interface AlertCandidate {
  type: AlertType;
  dedupeKey: string;
  severity: AlertSeverity;
  title: string;
  body: string;
  currency: CurrencyCode;
  /** The amounts the text mentions, by name, in minor units. */
  amounts: Record<string, bigint>;
  /** What the alert is about: transaction ids, stream keys or categories. */
  relatedIds: string[];
}

/** How alert text is written for one customer. */
export interface AlertContext {
  currency: CurrencyCode;
  /** Locale for amounts and dates; default en-GB. */
  locale?: string;
  /** Display name of a category code (e.g. from the taxonomy); default the code itself. */
  categoryLabel?: (category: string) => string;
}

/** Thresholds of the unusual-spending rules. */
export interface UnusualSpendingOptions {
  /** How many robust standard deviations (1.4826 × MAD) above the median is unusual; default 3. */
  sigmas?: number;
  /** Smaller amounts never alert; default 50 major units of the currency (£50.00), in minor units. */
  minimumAmount?: bigint;
  /** Fewest past values that make a norm; default 5 transactions, or 3 months. */
  minimumHistory?: number;
}

/** The customer's norm for a list of past amounts. */
export interface SpendingNorm {
  median: bigint;
  /** Median absolute deviation from the median. */
  mad: bigint;
  /** median + ⌈sigmas × 1.4826 × MAD⌉: amounts above it are unusual. */
  threshold: bigint;
}

/** The norm of past amounts (magnitudes), robust to the odd outlier in them; the list must not be empty. */
export function spendingNorm(history: readonly bigint[], sigmas = 3): SpendingNorm {
  const amounts = history.map(absolute);
  const middle = median(amounts);
  const mad = median(amounts.map((amount) => absolute(amount - middle)));
  // 1.4826 scales the MAD to a standard deviation for normally distributed amounts.
  return { median: middle, mad, threshold: middle + divideCeil(BigInt(sigmas) * 14_826n * mad, 10_000n) };
}

/**
 * UNUSUAL_SPENDING for one transaction far above the customer's norm for its category
 * over the last six months: above the norm's threshold, at least twice the median (so
 * a very steady category does not alert on a modest rise), and at least the minimum amount.
 */
export function unusualTransactionAlert(
  input: {
    transaction: { id: string; amount: bigint; merchantName: string; category: string };
    /** Amounts of the category's other transactions in the last six months. */
    categoryHistory: readonly bigint[];
  },
  context: AlertContext,
  options: UnusualSpendingOptions = {},
): AlertCandidate | null {
  const { transaction } = input;
  const amount = absolute(transaction.amount);
  const norm = unusualNorm(amount, input.categoryHistory, context, { minimumHistory: 5, ...options });
  if (!norm) return null;
  const money = formatter(context);
  const category = label(context, transaction.category);
  return {
    type: 'UNUSUAL_SPENDING',
    dedupeKey: `UNUSUAL_SPENDING:transaction:${transaction.id}`,
    severity: 'WARNING',
    title: `Unusually large payment at ${transaction.merchantName}`,
    body: `${money(amount)} at ${transaction.merchantName} is well above your usual ${money(norm.median)} for ${category}.`,
    currency: context.currency,
    amounts: { amount, usual: norm.median },
    relatedIds: [transaction.id],
  };
}

/**
 * UNUSUAL_SPENDING for a category's spending so far this month far above its monthly
 * totals of the last six months (pass zeros for months without spending), by the same
 * test as {@link unusualTransactionAlert}. Raised once per category and month.
 */
export function unusualCategorySpendAlert(
  input: { category: string; month: string; spent: bigint; monthlyTotals: readonly bigint[] },
  context: AlertContext,
  options: UnusualSpendingOptions = {},
): AlertCandidate | null {
  const norm = unusualNorm(input.spent, input.monthlyTotals, context, { minimumHistory: 3, ...options });
  if (!norm) return null;
  const money = formatter(context);
  const category = label(context, input.category);
  return {
    type: 'UNUSUAL_SPENDING',
    dedupeKey: `UNUSUAL_SPENDING:category:${input.category}:${input.month}`,
    severity: 'INFO',
    title: `High spending on ${category}`,
    body: `You've spent ${money(input.spent)} on ${category} in ${monthName(input.month, context)}, well above your usual ${money(norm.median)} a month.`,
    currency: context.currency,
    amounts: { spent: input.spent, usual: norm.median },
    relatedIds: [input.category],
  };
}

/** LOW_BALANCE_AHEAD for the first recurring bill the forecast says would leave the balance under `threshold`. */
export function lowBalanceAheadAlert(forecast: CashForecast, threshold: bigint, context: AlertContext): AlertCandidate | null {
  const warning = lowBalanceAhead(forecast, threshold);
  if (!warning) return null;
  const { occurrence } = warning;
  const money = formatter(context);
  return {
    type: 'LOW_BALANCE_AHEAD',
    dedupeKey: `LOW_BALANCE_AHEAD:${occurrence.streamKey}:${occurrence.date}`,
    severity: 'WARNING',
    title: 'Low balance ahead',
    body: `${occurrence.name} (${money(occurrence.amount)}) is due on ${shortDate(occurrence.date, context)} and could leave your balance at ${money(occurrence.balanceAfter)}.`,
    currency: context.currency,
    amounts: { amount: occurrence.amount, balanceAfter: occurrence.balanceAfter, threshold },
    relatedIds: [occurrence.streamKey],
  };
}

/**
 * BUDGET_EXCEEDED: a WARNING once spending is over the budget, else an INFO when the
 * month-end projection is over it. Each is raised once per category and month.
 */
export function budgetExceededAlert(progress: BudgetProgress, context: AlertContext): AlertCandidate | null {
  if (!progress.overBudget && !progress.projectedOver) return null;
  const money = formatter(context);
  const category = label(context, progress.category);
  const base = {
    type: 'BUDGET_EXCEEDED' as const,
    currency: context.currency,
    relatedIds: [progress.category],
  };
  if (progress.overBudget) {
    return {
      ...base,
      dedupeKey: `BUDGET_EXCEEDED:${progress.category}:${progress.month}`,
      severity: 'WARNING',
      title: `${category} budget exceeded`,
      body: `You've spent ${money(progress.spent)} of your ${money(progress.budget)} ${category} budget for ${monthName(progress.month, context)}.`,
      amounts: { spent: progress.spent, budget: progress.budget },
    };
  }
  return {
    ...base,
    dedupeKey: `BUDGET_EXCEEDED:${progress.category}:${progress.month}:projected`,
    severity: 'INFO',
    title: `${category} budget at risk`,
    body: `At this pace you'll spend about ${money(progress.projectedMonthEnd)} on ${category} in ${monthName(progress.month, context)}, over your ${money(progress.budget)} budget.`,
    amounts: { spent: progress.spent, projected: progress.projectedMonthEnd, budget: progress.budget },
  };
}

const per: Record<Frequency, string> = {
  WEEKLY: 'a week',
  BIWEEKLY: 'every two weeks',
  SEMI_MONTHLY: 'twice a month',
  MONTHLY: 'a month',
  ANNUALLY: 'a year',
};

/** NEW_SUBSCRIPTION for a stream {@link isNewSubscription} says started recently; raised once per stream. */
export function newSubscriptionAlert(stream: RecurringStream, today: string, context: AlertContext): AlertCandidate | null {
  if (!isNewSubscription(stream, today)) return null;
  const money = formatter(context);
  return {
    type: 'NEW_SUBSCRIPTION',
    dedupeKey: `NEW_SUBSCRIPTION:${stream.key}`,
    severity: 'INFO',
    title: `New subscription: ${stream.name}`,
    body: `${stream.name} has charged you ${money(stream.nextAmount)} ${per[stream.frequency]} since ${shortDate(stream.firstDate, context)}.`,
    currency: context.currency,
    amounts: { amount: stream.nextAmount },
    relatedIds: [stream.key, ...stream.transactionIds],
  };
}

/** The norm when `amount` is unusual against it, else null. */
function unusualNorm(
  amount: bigint,
  history: readonly bigint[],
  context: AlertContext,
  options: UnusualSpendingOptions & { minimumHistory: number },
): SpendingNorm | null {
  const minimumAmount = options.minimumAmount ?? 50n * 10n ** BigInt(CURRENCIES[context.currency].exponent);
  if (history.length < options.minimumHistory || amount < minimumAmount) return null;
  const norm = spendingNorm(history, options.sigmas);
  return amount > norm.threshold && amount >= 2n * norm.median ? norm : null;
}

function formatter(context: AlertContext): (minor: bigint) => string {
  return (minor) => formatMoney(minor, context.currency, context.locale);
}

function label(context: AlertContext, category: string): string {
  return context.categoryLabel ? context.categoryLabel(category) : category;
}

function shortDate(date: string, context: AlertContext): string {
  const day = parseDate(date).setLocale(context.locale ?? 'en-GB');
  return day.toFormat('d LLL yyyy');
}

function monthName(month: string, context: AlertContext): string {
  return parseMonth(month).setLocale(context.locale ?? 'en-GB').toFormat('LLLL yyyy');
}
