import { errors } from '@meridian/platform';
import type { DateTime } from 'luxon';
import { parseDate } from './calendar';
import { divideCeil, divideFloor } from './minor-units';

/** What a savings goal's progress is computed from, in minor units. */
export interface GoalProgressInput {
  /** The amount to reach; positive. */
  target: bigint;
  /** Saved so far: the linked account's balance or the sum of contributions, as the goal says. */
  saved: bigint;
  /** The date to reach it by, `YYYY-MM-DD`. */
  targetDate: string;
  /** The customer's local date, `YYYY-MM-DD`. */
  today: string;
  /** What the customer saved a month recently (e.g. the average of the last three months), if known. */
  recentMonthlySaving?: bigint;
}

/** Where a savings goal stands. */
export interface GoalProgress {
  /** Saved / target in basis points, rounded down and kept within 0–10 000, so 100 % means reached. */
  progressBasisPoints: number;
  /** Still to save; 0 once reached. */
  remaining: bigint;
  /** Months until the target date, a part month counting as one; 0 on or after it. */
  monthsLeft: number;
  /** Remaining / monthsLeft rounded up to the minor unit; the whole remainder once no month is left. */
  monthlyNeeded: bigint;
  /** Whether the recent saving rate reaches the target in time; null when no rate was given. */
  onTrack: boolean | null;
  reached: boolean;
}

/** Months from `today` to `targetDate`, counting a part month as a whole one. */
function monthsUntil(today: DateTime, targetDate: DateTime): number {
  if (targetDate <= today) return 0;
  // luxon's month difference is fractional; whole months are counted up from its floor.
  let months = Math.floor(targetDate.diff(today, 'months').months);
  while (today.plus({ months }) < targetDate) months += 1;
  return months;
}

/**
 * A savings goal's progress and the monthly saving that reaches it on time. On track
 * means `recentMonthlySaving × monthsLeft ≥ remaining` (exact, no rounding), and is
 * false once the date has passed unreached. Errors: BAD_USER_INPUT (target not
 * positive, malformed dates).
 */
export function goalProgress(input: GoalProgressInput): GoalProgress {
  const { target, saved, recentMonthlySaving } = input;
  if (target <= 0n) throw errors.badInput('A goal’s target must be greater than zero.', { field: 'target' });
  const reached = saved >= target;
  const remaining = reached ? 0n : target - saved;
  const monthsLeft = monthsUntil(parseDate(input.today, 'today'), parseDate(input.targetDate, 'targetDate'));
  const progress = divideFloor(saved * 10_000n, target);
  let onTrack: boolean | null = null;
  if (reached) onTrack = true;
  else if (recentMonthlySaving !== undefined) onTrack = recentMonthlySaving * BigInt(monthsLeft) >= remaining;
  return {
    progressBasisPoints: Number(progress < 0n ? 0n : progress > 10_000n ? 10_000n : progress),
    remaining,
    monthsLeft,
    monthlyNeeded: monthsLeft === 0 ? remaining : divideCeil(remaining, BigInt(monthsLeft)),
    onTrack,
    reached,
  };
}
