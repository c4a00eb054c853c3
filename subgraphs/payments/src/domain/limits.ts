import { CURRENCIES, DomainError, ErrorCode, errors, formatDecimal, type CurrencyCode } from '@meridian/platform';
import { DateTime } from 'luxon';
import { parseTimeZone } from './time-zone';

/** How far KYC has verified a customer (KYC owns the tiers; payments reads them). */
export type KycTier = 'TIER_0' | 'TIER_1' | 'TIER_2';

/** The tiers that may pay other people. */
export type PayingTier = Exclude<KycTier, 'TIER_0'>;

/** Why a payment is over a limit: the `reason` of LIMIT_EXCEEDED. */
export type LimitReason = 'PER_PAYMENT' | 'DAILY' | 'MONTHLY';

/** Most a customer may pay: one payment, in a day, in a calendar month (days and months in their time zone). */
export interface PaymentLimits {
  perPayment: bigint;
  daily: bigint;
  monthly: bigint;
}

/**
 * The limits of each paying tier (the figures KYC publishes with the tier, in
 * pounds) in whole units of a nominal currency, which
 * the same number of pounds, euros, dollars or rupees, and 150 times as many
 * yen, stand for.
 */
export const NOMINAL_LIMITS: Readonly<Record<PayingTier, Readonly<PaymentLimits>>> = {
  TIER_1: { perPayment: 1_000n, daily: 2_500n, monthly: 10_000n },
  TIER_2: { perPayment: 25_000n, daily: 50_000n, monthly: 200_000n },
};

// A record over every currency, so a currency added to the platform needs a decision here.
const NOMINAL_SCALE: Record<CurrencyCode, bigint> = { GBP: 1n, EUR: 1n, USD: 1n, INR: 1n, JPY: 150n };

/** A tier's limits in minor units of `currency`. */
export function limitsFor(tier: PayingTier, currency: CurrencyCode): PaymentLimits {
  const unit = NOMINAL_SCALE[currency] * 10n ** BigInt(CURRENCIES[currency].exponent);
  const nominal = NOMINAL_LIMITS[tier];
  return { perPayment: nominal.perPayment * unit, daily: nominal.daily * unit, monthly: nominal.monthly * unit };
}

/** Refuses a customer who may not pay other people yet. Errors: FORBIDDEN (`reason` TIER_TOO_LOW, `tier`). */
export function assertTierMayPay(tier: KycTier): asserts tier is PayingTier {
  if (tier === 'TIER_0') {
    throw new DomainError(ErrorCode.FORBIDDEN, 'Verify your identity before you pay other people.', { reason: 'TIER_TOO_LOW', tier });
  }
}

/** What a customer has already paid in one currency, in minor units, counted from `usagePeriodStarts`. */
export interface LimitUsage {
  tier: KycTier;
  currency: CurrencyCode;
  usedToday: bigint;
  usedThisMonth: bigint;
}

const exceeded = (reason: LimitReason, limit: bigint, currency: CurrencyCode, message: string) =>
  new DomainError(ErrorCode.LIMIT_EXCEEDED, `${message} ${formatDecimal(limit, currency)} ${currency}.`, {
    reason,
    limit: formatDecimal(limit, currency),
  });

/**
 * Refuses a payment to someone else that its customer's tier does not allow:
 * over the per-payment limit, or over what is left of the day's or the
 * month's. Errors: FORBIDDEN (TIER_0), LIMIT_EXCEEDED (`reason`, `limit` as a
 * decimal string), BAD_USER_INPUT (an amount that is not positive).
 */
export function checkLimits(payment: LimitUsage & { amount: bigint }): void {
  const { tier, amount, currency } = payment;
  if (amount <= 0n) throw errors.badInput('amount must be greater than zero.', { field: 'amount' });
  assertTierMayPay(tier);
  const limits = limitsFor(tier, currency);
  if (amount > limits.perPayment) throw exceeded('PER_PAYMENT', limits.perPayment, currency, 'A single payment can be at most');
  if (payment.usedToday + amount > limits.daily) {
    throw exceeded('DAILY', limits.daily, currency, 'This payment would take you over your daily limit of');
  }
  if (payment.usedThisMonth + amount > limits.monthly) {
    throw exceeded('MONTHLY', limits.monthly, currency, 'This payment would take you over your monthly limit of');
  }
}

/** What a customer may still pay, in minor units; `nextPayment` is the most the next payment may be. */
export interface RemainingLimits {
  perPayment: bigint;
  daily: bigint;
  monthly: bigint;
  nextPayment: bigint;
}

const atLeastZero = (n: bigint): bigint => (n > 0n ? n : 0n);
const least = (...values: bigint[]): bigint => values.reduce((a, b) => (b < a ? b : a));

/** What is left of a customer's limits in one currency; all zero for TIER_0, who may not pay anyone. */
export function remaining(usage: LimitUsage): RemainingLimits {
  if (usage.tier === 'TIER_0') return { perPayment: 0n, daily: 0n, monthly: 0n, nextPayment: 0n };
  const limits = limitsFor(usage.tier, usage.currency);
  const daily = atLeastZero(limits.daily - usage.usedToday);
  const monthly = atLeastZero(limits.monthly - usage.usedThisMonth);
  return { perPayment: limits.perPayment, daily, monthly, nextPayment: least(limits.perPayment, daily, monthly) };
}

/**
 * The instants the customer's current day and calendar month began in their
 * time zone: usage since then counts towards the daily and monthly limits.
 * Errors: BAD_USER_INPUT (`timeZone`).
 */
export function usagePeriodStarts(timeZone: string, now: Date): { dayStart: Date; monthStart: Date } {
  const local = DateTime.fromJSDate(now, { zone: parseTimeZone(timeZone) });
  return { dayStart: local.startOf('day').toJSDate(), monthStart: local.startOf('month').toJSDate() };
}
