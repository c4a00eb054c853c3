import { CURRENCIES, type CurrencyCode } from '@meridian/platform';

/** Why a payment is held for review; stable codes that staff tools and metrics rely on. */
export type FraudReason = 'VELOCITY' | 'NEW_PAYEE_VELOCITY' | 'UNUSUAL_AMOUNT' | 'NEW_PAYEE_LARGE_FIRST_PAYMENT';

/** What the rules look at for one payment; the caller reads it from its own records. */
export interface FraudSignals {
  /** When the payment is being confirmed. */
  now: Date;
  /** The payment's amount in minor units. */
  amount: bigint;
  currency: CurrencyCode;
  /** When the customer's earlier payments were created (any status), at least those within the velocity window. */
  recentPaymentTimes: readonly Date[];
  /** When the customer's payees were created, at least those within the last day. */
  payeeCreationTimes: readonly Date[];
  /** Amounts of the customer's latest successful payments in `currency`, newest first. */
  recentSuccessfulAmounts: readonly bigint[];
  /** The payee paid, or null when the payment has no saved payee. */
  payee: {
    createdAt: Date;
    /** How many payments to this payee came before this one. */
    earlierPayments: number;
  } | null;
}

/** Thresholds of the fraud rules; amounts are whole major units of the payment's currency. */
export interface FraudRuleOptions {
  /** Payments allowed within `velocityWindowMs`; one more triggers VELOCITY. Default 10. */
  velocityMaxPayments: number;
  /** Default one hour. */
  velocityWindowMs: number;
  /** Payees that may be created within a day; more triggers NEW_PAYEE_VELOCITY. Default 3. */
  newPayeeMaxPerDay: number;
  /** How many times the usual (median) amount is unusual. Default 5. */
  unusualAmountMultiplier: number;
  /** No amount up to this is unusual. Default 250. */
  unusualAmountFloorMajor: bigint;
  /** How many latest successful payments make up the usual amount. Default 20. */
  unusualAmountHistory: number;
  /** Fewer earlier payments than this say nothing about what is usual. Default 3. */
  unusualAmountMinHistory: number;
  /** A first payment to a payee younger than a day above this triggers NEW_PAYEE_LARGE_FIRST_PAYMENT. Default 500. */
  newPayeeFirstPaymentMaxMajor: bigint;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The thresholds used where none are given. */
export const DEFAULT_FRAUD_RULE_OPTIONS: Readonly<FraudRuleOptions> = {
  velocityMaxPayments: 10,
  velocityWindowMs: HOUR_MS,
  newPayeeMaxPerDay: 3,
  unusualAmountMultiplier: 5,
  unusualAmountFloorMajor: 250n,
  unusualAmountHistory: 20,
  unusualAmountMinHistory: 3,
  newPayeeFirstPaymentMaxMajor: 500n,
};

const majorToMinor = (major: bigint, currency: CurrencyCode): bigint => major * 10n ** BigInt(CURRENCIES[currency].exponent);

const within = (times: readonly Date[], now: Date, windowMs: number): number =>
  times.filter((t) => t.getTime() > now.getTime() - windowMs).length;

/** The median of some amounts (the lower middle's and upper middle's mean, rounded down, for an even count). */
function median(amounts: readonly bigint[]): bigint {
  const sorted = [...amounts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2n;
}

/** Whether the amount is above `multiplier` × the median of the customer's usual amounts and above the floor. */
function isUnusual(signals: FraudSignals, options: FraudRuleOptions): boolean {
  const history = signals.recentSuccessfulAmounts.slice(0, options.unusualAmountHistory);
  if (history.length < options.unusualAmountMinHistory) return false;
  // The multiplier in hundredths keeps the arithmetic in bigint.
  const usualTimesMultiplier = (median(history) * BigInt(Math.round(options.unusualAmountMultiplier * 100))) / 100n;
  const floor = majorToMinor(options.unusualAmountFloorMajor, signals.currency);
  return signals.amount > (usualTimesMultiplier > floor ? usualTimesMultiplier : floor);
}

/**
 * The rules a payment triggers, in a fixed order; empty means let it through.
 * VELOCITY: this payment makes more than `velocityMaxPayments` within the
 * window. NEW_PAYEE_VELOCITY: more than `newPayeeMaxPerDay` payees created in
 * the last 24 hours. UNUSUAL_AMOUNT: above `multiplier` × the median of the
 * last successful amounts in the currency and above the floor, once there are
 * enough of them. NEW_PAYEE_LARGE_FIRST_PAYMENT: the first payment to a payee
 * created less than 24 hours ago, above the threshold.
 */
export function evaluateFraudRules(signals: FraudSignals, overrides: Partial<FraudRuleOptions> = {}): FraudReason[] {
  const options = { ...DEFAULT_FRAUD_RULE_OPTIONS, ...overrides };
  const { now, amount, currency, payee } = signals;
  const reasons: FraudReason[] = [];
  if (within(signals.recentPaymentTimes, now, options.velocityWindowMs) + 1 > options.velocityMaxPayments) reasons.push('VELOCITY');
  if (within(signals.payeeCreationTimes, now, DAY_MS) > options.newPayeeMaxPerDay) reasons.push('NEW_PAYEE_VELOCITY');
  if (isUnusual(signals, options)) reasons.push('UNUSUAL_AMOUNT');
  if (
    payee !== null &&
    payee.earlierPayments === 0 &&
    now.getTime() - payee.createdAt.getTime() < DAY_MS &&
    amount > majorToMinor(options.newPayeeFirstPaymentMaxMajor, currency)
  ) {
    reasons.push('NEW_PAYEE_LARGE_FIRST_PAYMENT');
  }
  return reasons;
}
