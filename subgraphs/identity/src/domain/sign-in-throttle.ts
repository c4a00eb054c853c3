import { createHash } from 'node:crypto';
import { canonicalEmail } from '@meridian/platform';

/**
 * How failed sign-ins are slowed, per email address (registered or not, so the
 * answers say nothing about which addresses exist). Attempts count when they
 * start, so concurrent guesses cannot slip in before the count moves; a
 * successful sign-in, a password reset or a staff unlock clears the count.
 */
export interface SignInPolicy {
  /** Attempts allowed back to back before any wait; default 5. */
  freeAttempts: number;
  /** The first wait after the free attempts, doubling with each attempt after; default 1 s. */
  backoffBaseMs: number;
  /** The longest wait between attempts; default 5 minutes. */
  backoffMaxMs: number;
  /** Attempts without a success after which sign-in locks; default 10. */
  lockAfter: number;
  /** The first lock; each lock after that, with no success in between, lasts twice as long; default 15 minutes. */
  lockMs: number;
  /** The longest lock; default 24 hours. */
  lockMaxMs: number;
  /** A count with no attempt for this long (and no lock running) is forgotten; default 24 hours. */
  forgetAfterMs: number;
}

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = {
  freeAttempts: 5,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
  lockMaxMs: 24 * 3_600_000,
  forgetAfterMs: 24 * 3_600_000,
};

/** What is kept per email address. */
export interface SignInAttempts {
  /** Attempts since the last success, unlock or forgotten count. */
  failures: number;
  lastAttemptAt: Date;
  lockedUntil: Date | null;
  /** Locks since the last success or unlock: each one lasts longer. */
  lockouts: number;
}

/** Whether an attempt may check the password now, and what to keep. */
export type SignInDecision =
  | { allowed: true; next: SignInAttempts }
  | { allowed: false; reason: 'SIGN_IN_BACKOFF' | 'SIGN_IN_LOCKED'; retryAfterMs: number; next: SignInAttempts; lockedNow: boolean };

/** The key of an email address's count: a SHA-256 of the address as identity compares it. */
export function signInKey(email: string): Buffer {
  return createHash('sha256').update(canonicalEmail(email)).digest();
}

/** The wait before the next attempt once `failures` attempts have been made. */
export function backoffMs(failures: number, policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY): number {
  if (failures < policy.freeAttempts) return 0;
  return Math.min(policy.backoffBaseMs * 2 ** (failures - policy.freeAttempts), policy.backoffMaxMs);
}

/**
 * Decides one sign-in attempt before the password is looked at: refused while
 * locked or within the backoff, locked once `lockAfter` attempts went without
 * a success, else allowed and counted.
 */
export function decideSignIn(current: SignInAttempts | null, now: Date, policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY): SignInDecision {
  let state: SignInAttempts = current ?? { failures: 0, lastAttemptAt: now, lockedUntil: null, lockouts: 0 };
  const at = now.getTime();
  if (state.lockedUntil && state.lockedUntil.getTime() > at) {
    return { allowed: false, reason: 'SIGN_IN_LOCKED', retryAfterMs: state.lockedUntil.getTime() - at, next: state, lockedNow: false };
  }
  if (state.lockedUntil) {
    // A lock that ran out: the count starts again, the next lock is longer.
    state = { ...state, failures: 0, lockedUntil: null };
  } else if (at - state.lastAttemptAt.getTime() > policy.forgetAfterMs) {
    state = { failures: 0, lastAttemptAt: now, lockedUntil: null, lockouts: 0 };
  }
  if (state.failures >= policy.lockAfter) {
    const lockMs = Math.min(policy.lockMs * 2 ** state.lockouts, policy.lockMaxMs);
    const next = { ...state, lockedUntil: new Date(at + lockMs), lockouts: state.lockouts + 1 };
    return { allowed: false, reason: 'SIGN_IN_LOCKED', retryAfterMs: lockMs, next, lockedNow: true };
  }
  const wait = backoffMs(state.failures, policy) - (at - state.lastAttemptAt.getTime());
  if (state.failures > 0 && wait > 0) {
    return { allowed: false, reason: 'SIGN_IN_BACKOFF', retryAfterMs: wait, next: state, lockedNow: false };
  }
  return { allowed: true, next: { ...state, failures: state.failures + 1, lastAttemptAt: now } };
}
