import { DomainError, ErrorCode, errors } from '@meridian/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_SIGN_IN_POLICY, decideSignIn, signInKey, type SignInAttempts, type SignInPolicy } from '../domain/sign-in-throttle';
import type { UserRecord } from '../domain/user';
import { recordAuditEvent, type RequestOrigin } from './audit-log';

/** Options for {@link SignInThrottle}. */
export interface SignInThrottleOptions {
  /** Default {@link DEFAULT_SIGN_IN_POLICY}. */
  policy?: SignInPolicy;
  /** The time; tests move it. Default the system clock. */
  now?: () => Date;
}

interface AttemptsRow {
  failures: number;
  last_attempt_at: Date;
  locked_until: Date | null;
  lockouts: number;
}

/** Counts older than this are purged, a few at each attempt, so the table holds only live counts. */
const PURGE_BATCH = 10;

function minutes(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/**
 * Failed sign-ins per email address, counted in identity itself so no path
 * around the BFF's limits helps: exponential backoff, then a temporary lock
 * that a password reset or a staff unlock ends (both clear the count, as a
 * successful sign-in does). A refused attempt never looks at the password,
 * so its answer says nothing about it.
 */
export class SignInThrottle {
  private readonly policy: SignInPolicy;
  private readonly now: () => Date;

  constructor(
    private readonly db: DataSource,
    options: SignInThrottleOptions = {},
  ) {
    this.policy = options.policy ?? DEFAULT_SIGN_IN_POLICY;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Counts one attempt at signing in as `email` before its password is checked,
   * in one transaction under the count's row lock, so concurrent attempts are
   * counted one by one. Refusals and the start of a lock are audited.
   * Errors: RATE_LIMITED (`reason` SIGN_IN_BACKOFF or SIGN_IN_LOCKED, `retryAfter` seconds).
   */
  async claim(email: string, userId: string | null, origin: RequestOrigin): Promise<void> {
    const key = signInKey(email);
    const now = this.now();
    const decision = await this.db.transaction(async (manager) => {
      await manager.query(
        `DELETE FROM identity.sign_in_attempts WHERE email_hash IN (
           SELECT email_hash FROM identity.sign_in_attempts
           WHERE last_attempt_at < $1 AND (locked_until IS NULL OR locked_until < $2) AND email_hash <> $3
           ORDER BY last_attempt_at LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
        [new Date(now.getTime() - this.policy.forgetAfterMs), now, key],
      );
      await manager.query(
        `INSERT INTO identity.sign_in_attempts (email_hash, failures, last_attempt_at) VALUES ($1, 0, $2) ON CONFLICT (email_hash) DO NOTHING`,
        [key, now],
      );
      const [row] = (await manager.query(
        `SELECT failures, last_attempt_at, locked_until, lockouts FROM identity.sign_in_attempts WHERE email_hash = $1 FOR UPDATE`,
        [key],
      )) as AttemptsRow[];
      const current: SignInAttempts = {
        failures: row.failures,
        lastAttemptAt: new Date(row.last_attempt_at),
        lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
        lockouts: row.lockouts,
      };
      const decided = decideSignIn(current, now, this.policy);
      const { next } = decided;
      await manager.query(
        `UPDATE identity.sign_in_attempts SET failures = $2, last_attempt_at = $3, locked_until = $4, lockouts = $5 WHERE email_hash = $1`,
        [key, next.failures, next.lastAttemptAt, next.lockedUntil, next.lockouts],
      );
      if (!decided.allowed) {
        if (decided.lockedNow) {
          await recordAuditEvent(manager, 'SIGN_IN_LOCKED', userId, origin, { until: next.lockedUntil?.toISOString(), lockouts: next.lockouts });
        }
        await recordAuditEvent(manager, 'LOGIN_THROTTLED', userId, origin, { reason: decided.reason });
      }
      return decided;
    });
    if (decision.allowed) return;
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    const message =
      decision.reason === 'SIGN_IN_LOCKED'
        ? `Sign-in for this email address is locked for ${minutes(decision.retryAfterMs)} after too many failed attempts. Support can unlock it sooner.`
        : `Too many failed sign-in attempts for this email address. Try again in ${retryAfter} s.`;
    throw new DomainError(ErrorCode.RATE_LIMITED, message, { reason: decision.reason, retryAfter });
  }

  /** Forgets the count of `email`: after a successful sign-in, a password reset or an unlock. */
  async clear(manager: EntityManager, email: string): Promise<void> {
    await manager.query(`DELETE FROM identity.sign_in_attempts WHERE email_hash = $1`, [signInKey(email)]);
  }

  /**
   * Ends a temporary lock (and the count) on a user's email address, for staff.
   * Errors: NOT_FOUND (no such user).
   */
  async unlock(user: UserRecord | null, staffId: string, origin: RequestOrigin): Promise<boolean> {
    if (!user) throw errors.notFound('No such user.');
    await this.db.transaction(async (manager) => {
      await this.clear(manager, user.email);
      await recordAuditEvent(manager, 'SIGN_IN_UNLOCKED', user.id, origin, { by: staffId });
    });
    return true;
  }
}
