import { CURRENCIES, DomainError, type CurrencyCode } from '@meridian/platform';
import { checkLimits, limitsFor, remaining, usagePeriodStarts, type LimitUsage } from '../../src/domain/limits';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}

const usage = (extra: Partial<LimitUsage> = {}): LimitUsage => ({ tier: 'TIER_1', currency: 'GBP', usedToday: 0n, usedThisMonth: 0n, ...extra });
const check = (amount: bigint, extra: Partial<LimitUsage> = {}) => () => checkLimits({ ...usage(extra), amount });
const exceeded = (reason: string, limit: string) =>
  expect.objectContaining({ code: 'LIMIT_EXCEEDED', extensions: { code: 'LIMIT_EXCEEDED', reason, limit } });

describe('limits by tier', () => {
  it('are 1,000 / 2,500 / 10,000 for tier 1 and 25,000 / 50,000 / 200,000 for tier 2 (the figures KYC publishes), in minor units', () => {
    expect(limitsFor('TIER_1', 'GBP')).toEqual({ perPayment: 100_000n, daily: 250_000n, monthly: 1_000_000n });
    expect(limitsFor('TIER_2', 'EUR')).toEqual({ perPayment: 2_500_000n, daily: 5_000_000n, monthly: 20_000_000n });
  });

  it('are 150 times the numbers in yen, which have no minor unit', () => {
    expect(limitsFor('TIER_1', 'JPY')).toEqual({ perPayment: 150_000n, daily: 375_000n, monthly: 1_500_000n });
    expect(limitsFor('TIER_2', 'JPY')).toEqual({ perPayment: 3_750_000n, daily: 7_500_000n, monthly: 30_000_000n });
  });

  it('exist for every currency the platform holds', () => {
    for (const currency of Object.keys(CURRENCIES) as CurrencyCode[]) {
      expect(limitsFor('TIER_1', currency).perPayment).toBeGreaterThan(0n);
    }
  });
});

describe('checkLimits', () => {
  it('refuses any payment from tier 0, telling the customer to verify their identity', () => {
    const error = errorOf(check(1n, { tier: 'TIER_0' }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', reason: 'TIER_TOO_LOW', tier: 'TIER_0' });
    expect(error.message).toMatch(/verify your identity/i);
  });

  it('allows up to the per-payment limit and refuses a penny more', () => {
    expect(check(100_000n)).not.toThrow();
    expect(check(100_001n)).toThrow(exceeded('PER_PAYMENT', '1000.00'));
    expect(check(2_500_000n, { tier: 'TIER_2' })).not.toThrow();
    expect(check(2_500_001n, { tier: 'TIER_2' })).toThrow(exceeded('PER_PAYMENT', '25000.00'));
  });

  it('counts what was paid today towards the daily limit', () => {
    expect(check(50_000n, { usedToday: 200_000n })).not.toThrow();
    expect(check(50_001n, { usedToday: 200_000n })).toThrow(exceeded('DAILY', '2500.00'));
  });

  it('counts what was paid this month towards the monthly limit', () => {
    expect(check(100_000n, { usedThisMonth: 900_000n })).not.toThrow();
    expect(check(1n, { usedThisMonth: 1_000_000n })).toThrow(exceeded('MONTHLY', '10000.00'));
  });

  it('reports the first limit reached: per payment, then day, then month', () => {
    expect(check(100_001n, { usedToday: 250_000n, usedThisMonth: 1_000_000n })).toThrow(exceeded('PER_PAYMENT', '1000.00'));
    expect(check(1n, { usedToday: 250_000n, usedThisMonth: 1_000_000n })).toThrow(exceeded('DAILY', '2500.00'));
  });

  it('formats yen limits without decimals', () => {
    expect(check(150_001n, { currency: 'JPY' })).toThrow(exceeded('PER_PAYMENT', '150000'));
    expect(errorOf(check(150_001n, { currency: 'JPY' })).message).toBe('A single payment can be at most 150000 JPY.');
  });

  it('refuses an amount that is not positive', () => {
    expect(check(0n)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { code: 'BAD_USER_INPUT', field: 'amount' } }));
  });
});

describe('remaining', () => {
  it('gives what is left today and this month, and the most the next payment may be', () => {
    expect(remaining(usage())).toEqual({ perPayment: 100_000n, daily: 250_000n, monthly: 1_000_000n, nextPayment: 100_000n });
    expect(remaining(usage({ usedToday: 200_000n, usedThisMonth: 300_000n }))).toEqual({
      perPayment: 100_000n,
      daily: 50_000n,
      monthly: 700_000n,
      nextPayment: 50_000n,
    });
    expect(remaining(usage({ usedToday: 0n, usedThisMonth: 980_000n })).nextPayment).toBe(20_000n);
  });

  it('never goes below zero, and is zero for tier 0', () => {
    expect(remaining(usage({ usedToday: 300_000n, usedThisMonth: 1_200_000n }))).toMatchObject({ daily: 0n, monthly: 0n, nextPayment: 0n });
    expect(remaining(usage({ tier: 'TIER_0' }))).toEqual({ perPayment: 0n, daily: 0n, monthly: 0n, nextPayment: 0n });
  });

  it('agrees with checkLimits at the boundary', () => {
    const used = usage({ tier: 'TIER_2', usedToday: 1_234_567n, usedThisMonth: 9_000_000n });
    const { nextPayment } = remaining(used);
    expect(() => checkLimits({ ...used, amount: nextPayment })).not.toThrow();
    expect(() => checkLimits({ ...used, amount: nextPayment + 1n })).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });
});

describe('usagePeriodStarts', () => {
  it('starts the day and month at local midnight', () => {
    // 00:30 BST on 1 July is still 30 June in UTC.
    expect(usagePeriodStarts('Europe/London', new Date('2026-06-30T23:30:00Z'))).toEqual({
      dayStart: new Date('2026-06-30T23:00:00Z'),
      monthStart: new Date('2026-06-30T23:00:00Z'),
    });
    expect(usagePeriodStarts('America/New_York', new Date('2026-03-10T03:00:00Z'))).toEqual({
      dayStart: new Date('2026-03-09T04:00:00Z'),
      monthStart: new Date('2026-03-01T05:00:00Z'),
    });
  });

  it('starts a day without a midnight when the clocks go forward at midnight', () => {
    // Havana skips from 00:00 to 01:00 on 8 March 2026.
    expect(usagePeriodStarts('America/Havana', new Date('2026-03-08T12:00:00Z')).dayStart).toEqual(new Date('2026-03-08T05:00:00Z'));
  });

  it('refuses a zone that is not IANA', () => {
    expect(() => usagePeriodStarts('Nowhere/Special', new Date())).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
