import { goalProgress } from '../../src/domain/goals';

describe('goalProgress', () => {
  it('computes progress, months left and the monthly saving needed', () => {
    // £1,234.56 saved of £5,000.00: 123_456 × 10_000 / 500_000 = 2_469.12 → 2_469 bp (24.69 %).
    // 20 Jan 2026 → 31 Dec 2026: 20 Jan + 11 months = 20 Dec < 31 Dec, so 12 months (a part month counts).
    // remaining 376_544; 376_544 / 12 = 31_378.67 → 31_379 rounded up.
    expect(goalProgress({ target: 500_000n, saved: 123_456n, targetDate: '2026-12-31', today: '2026-01-20' })).toEqual({
      progressBasisPoints: 2_469,
      remaining: 376_544n,
      monthsLeft: 12,
      monthlyNeeded: 31_379n,
      onTrack: null,
      reached: false,
    });
  });

  it('counts whole months exactly, and month ends through February', () => {
    // 15 Jan → 15 Jun is exactly 5 months.
    expect(goalProgress({ target: 100n, saved: 0n, targetDate: '2026-06-15', today: '2026-01-15' }).monthsLeft).toBe(5);
    // 31 Jan + 1 month = 28 Feb: exactly 1 month.
    expect(goalProgress({ target: 100n, saved: 0n, targetDate: '2026-02-28', today: '2026-01-31' }).monthsLeft).toBe(1);
    // 31 Jan → 1 Mar: 1 month and a day, so 2.
    expect(goalProgress({ target: 100n, saved: 0n, targetDate: '2026-03-01', today: '2026-01-31' }).monthsLeft).toBe(2);
    // Tomorrow: a part month, 1.
    expect(goalProgress({ target: 100n, saved: 0n, targetDate: '2026-01-21', today: '2026-01-20' }).monthsLeft).toBe(1);
  });

  it('is on track when the recent saving rate covers the remainder in time', () => {
    // remaining 376_544 over 12 months: 31_379 × 12 = 376_548 ≥ 376_544 → on track; 31_378 × 12 = 376_536 < 376_544 → not.
    const goal = { target: 500_000n, saved: 123_456n, targetDate: '2026-12-31', today: '2026-01-20' };
    expect(goalProgress({ ...goal, recentMonthlySaving: 31_379n }).onTrack).toBe(true);
    expect(goalProgress({ ...goal, recentMonthlySaving: 31_378n }).onTrack).toBe(false);
  });

  it('caps progress at 100 % once reached, and needs nothing more', () => {
    expect(goalProgress({ target: 100_000n, saved: 120_000n, targetDate: '2026-06-30', today: '2026-01-20', recentMonthlySaving: 0n })).toEqual({
      progressBasisPoints: 10_000,
      remaining: 0n,
      monthsLeft: 6, // 20 Jan + 5 months = 20 Jun < 30 Jun → 6
      monthlyNeeded: 0n,
      onTrack: true,
      reached: true,
    });
  });

  it('rounds progress down, so 99.99 % is not shown as reached', () => {
    // 99_999 × 10_000 / 100_000 = 9_999.9 → 9_999.
    expect(goalProgress({ target: 100_000n, saved: 99_999n, targetDate: '2026-06-30', today: '2026-01-20' }).progressBasisPoints).toBe(9_999);
  });

  it('asks for the whole remainder once the date has passed, and is then off track', () => {
    expect(goalProgress({ target: 100_000n, saved: 40_000n, targetDate: '2026-01-01', today: '2026-01-20', recentMonthlySaving: 50_000n })).toMatchObject({
      monthsLeft: 0,
      monthlyNeeded: 60_000n,
      onTrack: false,
    });
  });

  it('shows an overdrawn linked account as no progress', () => {
    expect(goalProgress({ target: 100_000n, saved: -2_500n, targetDate: '2026-11-20', today: '2026-01-20' })).toMatchObject({
      progressBasisPoints: 0,
      remaining: 102_500n,
      monthsLeft: 10,
      monthlyNeeded: 10_250n, // 102_500 / 10 exactly
    });
  });

  it('refuses a target that is not positive', () => {
    expect(() => goalProgress({ target: 0n, saved: 0n, targetDate: '2026-06-30', today: '2026-01-20' })).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });
});
