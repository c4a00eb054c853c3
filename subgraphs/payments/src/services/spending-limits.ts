import { returnedRows, type CurrencyCode, type Queryable } from '@meridian/platform';
import { DateTime } from 'luxon';
import { checkLimits, remaining, type KycTier } from '../domain/limits';

/** What a customer has used and has left in one currency, for `User.paymentLimits`. */
export interface LimitsView {
  currency: CurrencyCode;
  tier: KycTier;
  perPayment: bigint;
  usedToday: bigint;
  remainingToday: bigint;
  usedThisMonth: bigint;
  remainingThisMonth: bigint;
  nextPaymentMax: bigint;
}

/** The day and the month a payment counts in, as dates in the limits' time zone. */
export interface UsagePeriods {
  day: string;
  month: string;
}

/** The day and month of `at` in `timeZone`. */
export function periodsOf(at: Date, timeZone: string): UsagePeriods {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  return { day: local.toISODate()!, month: local.startOf('month').toISODate()! };
}

/**
 * What each customer has sent to others per currency, day and month, and the
 * check of a new payment against their tier's limits. The check and the
 * reservation happen under the two usage rows' locks in the caller's
 * transaction, so concurrent payments are counted one after another and
 * never pass a limit together.
 */
export class SpendingLimits {
  constructor(private readonly timeZone: string) {}

  /** The periods a payment confirmed now counts in. */
  periods(now = new Date()): UsagePeriods {
    return periodsOf(now, this.timeZone);
  }

  /**
   * Counts `amount` in the customer's usage of the periods, or refuses it.
   * Errors: FORBIDDEN (TIER_TOO_LOW), LIMIT_EXCEEDED (`reason`, `limit`).
   */
  async reserve(q: Queryable, p: { userId: string; tier: KycTier; currency: CurrencyCode; amount: bigint; periods: UsagePeriods }): Promise<void> {
    // One statement counts the payment in both rows, taking their locks (DAY then MONTH, always in
    // that order, so two payments never wait for each other's rows); a payment that would pass a
    // limit throws, and the caller's transaction, rolled back, counts nothing.
    const rows = returnedRows(
      await q.query(
        `INSERT INTO payments.limit_usage AS u (user_id, currency, period, period_start, used) VALUES ($1, $2, 'DAY', $3, $5), ($1, $2, 'MONTH', $4, $5)
         ON CONFLICT (user_id, currency, period, period_start) DO UPDATE SET used = u.used + excluded.used
         RETURNING period, used`,
        [p.userId, p.currency, p.periods.day, p.periods.month, p.amount.toString()],
      ),
    );
    const after = (period: string) => BigInt(rows.find((r) => r.period === period)!.used as string);
    checkLimits({ tier: p.tier, currency: p.currency, amount: p.amount, usedToday: after('DAY') - p.amount, usedThisMonth: after('MONTH') - p.amount });
  }

  /** Gives back what a payment that did not go through had counted. */
  async release(q: Queryable, p: { userId: string; currency: CurrencyCode; amount: bigint; periods: UsagePeriods }): Promise<void> {
    returnedRows(
      await q.query(
        `UPDATE payments.limit_usage SET used = greatest(used - $5, 0)
         WHERE user_id = $1 AND currency = $2 AND ((period = 'DAY' AND period_start = $3) OR (period = 'MONTH' AND period_start = $4))`,
        [p.userId, p.currency, p.periods.day, p.periods.month, p.amount.toString()],
      ),
    );
  }

  /** What is used and left today and this month (no lock). */
  async summary(q: Queryable, userId: string, tier: KycTier, currency: CurrencyCode, now = new Date()): Promise<LimitsView> {
    const periods = this.periods(now);
    const rows = await q.query(
      `SELECT period, used FROM payments.limit_usage WHERE user_id = $1 AND currency = $2 AND ((period = 'DAY' AND period_start = $3) OR (period = 'MONTH' AND period_start = $4))`,
      [userId, currency, periods.day, periods.month],
    );
    const usedToday = BigInt(rows.find((r: { period: string }) => r.period === 'DAY')?.used ?? 0);
    const usedThisMonth = BigInt(rows.find((r: { period: string }) => r.period === 'MONTH')?.used ?? 0);
    const left = remaining({ tier, currency, usedToday, usedThisMonth });
    return {
      currency,
      tier,
      perPayment: left.perPayment,
      usedToday,
      remainingToday: left.daily,
      usedThisMonth,
      remainingThisMonth: left.monthly,
      nextPaymentMax: left.nextPayment,
    };
  }
}
