import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import {
  DomainError,
  ErrorCode,
  errors,
  maskRecipient,
  returnedRows,
  toDate,
  uuidv7,
  type DataProtection,
  type Notifier,
  type Queryable,
  type Row,
} from '@meridian/platform';
import type { EntityManager } from 'typeorm';
import { DEFAULT_MFA_POLICY, MFA_METHOD_ORDER, normaliseDigits, ONE_TIME_CODE, type MfaChannel, type MfaMethod, type MfaPolicy } from '../domain/mfa';
import { normaliseRecoveryCode } from '../domain/recovery-code';
import { checkTotp } from '../domain/totp';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import type { CodeSent, CodeSubject, FactorUser, FactorVerdict, TotpFactorRow } from './second-factor-types';

export type { CodeSent, CodeSubject, FactorUser, FactorVerdict, TotpFactorRow } from './second-factor-types';

const refused = (error: DomainError, counted: boolean): FactorVerdict => ({ ok: false, error, counted });
const wrong = (reason: string, message: string) => errors.invalidCode(message, { field: 'code', reason });

/**
 * The second factors of a user and the one place they are checked: TOTP
 * (secret sealed with the data-protection envelope, the last accepted time
 * step remembered so a code cannot be replayed), recovery codes (HMAC under
 * the blind-index key, single use), and 6-digit codes by email or SMS (HMAC
 * with a salt of their own, 5 minutes, single use, 5 tries). Every check
 * first takes the user's wrong-guess count under its row lock, so concurrent
 * guesses are counted one by one: after {@link MfaPolicy.maxFailuresPerUser}
 * wrong guesses within the window no further guess is even looked at.
 */
export class SecondFactors {
  constructor(
    private readonly protection: DataProtection,
    private readonly notifier: Notifier,
    readonly policy: MfaPolicy = DEFAULT_MFA_POLICY,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Seals a TOTP secret for one user's row: the context ties it to that user. */
  sealSecret(userId: string, secret: string): string {
    return this.protection.envelope.sealText(secret, `identity.totp_factors:${userId}`);
  }

  openSecret(userId: string, sealed: string): string {
    return this.protection.envelope.openText(sealed, `identity.totp_factors:${userId}`);
  }

  /** The stored form of a recovery code (already normalised): a keyed hash, so a database copy alone cannot test guesses. */
  hashRecoveryCode(userId: string, code: string): string {
    return this.protection.blindIndex(code, `identity.recovery_code:${userId}`);
  }

  private hashOneTimeCode(userId: string, salt: string, code: string): string {
    return `${salt}.${this.protection.blindIndex(`${salt}:${code}`, `identity.mfa_code:${userId}`)}`;
  }

  /** The user's TOTP factor, pending or active. */
  async totp(q: Queryable, userId: string, options: { forUpdate?: boolean } = {}): Promise<TotpFactorRow | null> {
    const [row]: Row[] = await q.query(
      `SELECT secret_sealed, status, last_counter, confirmed_at FROM identity.totp_factors WHERE user_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [userId],
    );
    if (!row) return null;
    return {
      secretSealed: String(row.secret_sealed),
      status: row.status as TotpFactorRow['status'],
      lastCounter: row.last_counter === null ? null : Number(row.last_counter),
      confirmedAt: row.confirmed_at ? toDate(row.confirmed_at) : null,
    };
  }

  /** Recovery codes not used yet. */
  async recoveryCodesLeft(q: Queryable, userId: string): Promise<number> {
    const [row]: Row[] = await q.query(`SELECT count(*)::int AS n FROM identity.recovery_codes WHERE user_id = $1 AND used_at IS NULL`, [userId]);
    return Number(row.n);
  }

  /**
   * The methods a user can give now, strongest first: TOTP and recovery codes
   * once an authenticator is confirmed (recovery codes while any are left),
   * email always, SMS when the account has a phone number.
   */
  async methodsFor(q: Queryable, user: FactorUser): Promise<MfaMethod[]> {
    const totp = await this.totp(q, user.id);
    const active = totp?.status === 'ACTIVE';
    const available = new Set<MfaMethod>(['EMAIL']);
    if (active) available.add('TOTP');
    if (active && (await this.recoveryCodesLeft(q, user.id)) > 0) available.add('RECOVERY_CODE');
    if (user.phone) available.add('SMS');
    return MFA_METHOD_ORDER.filter((m) => available.has(m));
  }

  /**
   * Sends a 6-digit code for `subject` by email or SMS, replacing any earlier
   * one for it; sent inside the caller's transaction, so a failed send keeps
   * nothing. Errors: BAD_USER_INPUT (`reason` METHOD_NOT_AVAILABLE: SMS without
   * a phone number), RATE_LIMITED (`reason` CODE_RESEND_TOO_SOON, `retryAfter`),
   * SERVICE_UNAVAILABLE (not sent).
   */
  async sendCode(m: EntityManager, user: FactorUser, subject: CodeSubject, channel: MfaChannel, origin: RequestOrigin): Promise<CodeSent> {
    const to = channel === 'SMS' ? user.phone : user.email;
    if (!to) throw errors.badInput('There is no phone number on this account; ask for the code by email.', { field: 'channel', reason: 'METHOD_NOT_AVAILABLE' });
    const now = this.now().getTime();
    const [previous]: Row[] = await m.query(`SELECT created_at FROM identity.mfa_codes WHERE purpose = $1 AND subject_id = $2 FOR UPDATE`, [
      subject.purpose,
      subject.subjectId,
    ]);
    if (previous) {
      const waitMs = toDate(previous.created_at).getTime() + this.policy.resendAfterMs - now;
      if (waitMs > 0) {
        const retryAfter = Math.ceil(waitMs / 1000);
        throw new DomainError(ErrorCode.RATE_LIMITED, `A code was sent moments ago; ask again in ${retryAfter} s.`, { retryAfter, reason: 'CODE_RESEND_TOO_SOON' });
      }
    }
    // Codes an hour past their expiry are purged, a few at each send, so the table holds only recent ones.
    await m.query(
      `DELETE FROM identity.mfa_codes WHERE id IN (SELECT id FROM identity.mfa_codes WHERE expires_at < $1 ORDER BY expires_at LIMIT 20 FOR UPDATE SKIP LOCKED)`,
      [new Date(now - 3_600_000)],
    );
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const salt = randomBytes(12).toString('base64url');
    const expiresAt = new Date(now + this.policy.codeTtlMs);
    await m.query(
      `INSERT INTO identity.mfa_codes (id, user_id, purpose, subject_id, channel, code_hash, attempts, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)
       ON CONFLICT (purpose, subject_id) DO UPDATE SET id = EXCLUDED.id, channel = EXCLUDED.channel, code_hash = EXCLUDED.code_hash,
         attempts = 0, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, used_at = NULL`,
      [uuidv7(), user.id, subject.purpose, subject.subjectId, channel, this.hashOneTimeCode(user.id, salt, code), new Date(now), expiresAt],
    );
    await recordAuditEvent(m, 'MFA_CODE_SENT', user.id, origin, { channel, purpose: subject.purpose });
    const minutes = Math.round(this.policy.codeTtlMs / 60_000);
    const what = subject.purpose === 'SIGN_IN' ? 'sign-in' : 'confirmation';
    await this.notifier.send({
      channel,
      to,
      template: subject.purpose === 'SIGN_IN' ? 'identity.sign_in_code' : 'identity.step_up_code',
      text: `Your Meridian ${what} code is ${code}. It expires in ${minutes} minutes. Never share it, not even with us. If this was not you, change your password.`,
      data: { code },
    });
    return { channel, sentTo: maskRecipient(to), expiresAt, resendAfter: new Date(now + this.policy.resendAfterMs) };
  }

  /**
   * Checks one second factor in the caller's transaction, which must commit
   * even when the verdict refuses (a wrong guess is counted). Wrong codes,
   * reused TOTP codes and used or unknown recovery codes count against the
   * user; a method the user does not have, a code never asked for, an expired
   * or spent one do not (nothing was guessed). A TOTP code moves the last
   * accepted time step; a recovery code or an email or SMS code is spent.
   * Refusals: INVALID_CODE (`reason` CODE_INVALID, CODE_REUSED, CODE_EXPIRED,
   * CODE_NOT_REQUESTED, CODE_ATTEMPTS_EXCEEDED), RATE_LIMITED (`reason`
   * MFA_LOCKED, `retryAfter`), BAD_USER_INPUT (`reason` METHOD_NOT_AVAILABLE).
   */
  async verify(m: EntityManager, user: FactorUser, method: MfaMethod, input: string, subject: CodeSubject, origin: RequestOrigin): Promise<FactorVerdict> {
    const now = this.now();
    const guard = await this.lockFailures(m, user.id, now);
    if (guard.retryAfterMs > 0) {
      const retryAfter = Math.ceil(guard.retryAfterMs / 1000);
      return refused(
        new DomainError(ErrorCode.RATE_LIMITED, `Too many wrong codes. Try again in ${Math.ceil(retryAfter / 60)} minutes.`, { reason: 'MFA_LOCKED', retryAfter }),
        false,
      );
    }
    const verdict = await this.check(m, user, method, input.trim(), subject, now, origin);
    if (verdict.ok) {
      await m.query(`DELETE FROM identity.mfa_failures WHERE user_id = $1`, [user.id]);
      return verdict;
    }
    if (!verdict.counted) return verdict;
    const { code: _code, ...details } = verdict.error.extensions as { code: string; reason?: string };
    const failures = guard.failures + 1;
    await m.query(`UPDATE identity.mfa_failures SET failures = $2, window_started_at = $3 WHERE user_id = $1`, [user.id, failures, guard.windowStartedAt]);
    await recordAuditEvent(m, 'MFA_CHALLENGE_FAILED', user.id, origin, { method, purpose: subject.purpose, reason: details.reason, failures });
    const attemptsRemaining = Math.max(0, this.policy.maxFailuresPerUser - failures);
    return refused(new DomainError(verdict.error.code, verdict.error.message, { ...details, attemptsRemaining }), true);
  }

  /** Ends the user's second factors: the authenticator and every recovery code. */
  async removeAll(m: EntityManager, userId: string): Promise<void> {
    await m.query(`DELETE FROM identity.recovery_codes WHERE user_id = $1`, [userId]);
    await m.query(`DELETE FROM identity.totp_factors WHERE user_id = $1`, [userId]);
  }

  /** The user's wrong-guess count, locked; a window that ran out starts again now. */
  private async lockFailures(m: EntityManager, userId: string, now: Date): Promise<{ failures: number; windowStartedAt: Date; retryAfterMs: number }> {
    await m.query(`INSERT INTO identity.mfa_failures (user_id, failures, window_started_at) VALUES ($1, 0, $2) ON CONFLICT (user_id) DO NOTHING`, [userId, now]);
    const [row]: Row[] = await m.query(`SELECT failures, window_started_at FROM identity.mfa_failures WHERE user_id = $1 FOR UPDATE`, [userId]);
    const started = toDate(row.window_started_at);
    const endsAt = started.getTime() + this.policy.failureWindowMs;
    if (endsAt <= now.getTime()) return { failures: 0, windowStartedAt: now, retryAfterMs: 0 };
    const failures = Number(row.failures);
    return { failures, windowStartedAt: started, retryAfterMs: failures >= this.policy.maxFailuresPerUser ? endsAt - now.getTime() : 0 };
  }

  private async check(
    m: EntityManager,
    user: FactorUser,
    method: MfaMethod,
    code: string,
    subject: CodeSubject,
    now: Date,
    origin: RequestOrigin,
  ): Promise<FactorVerdict> {
    const notAvailable = (what: string) => refused(errors.badInput(`${what} is not set up for this account.`, { field: 'method', reason: 'METHOD_NOT_AVAILABLE' }), false);
    switch (method) {
      case 'TOTP': {
        const factor = await this.totp(m, user.id, { forUpdate: true });
        if (factor?.status !== 'ACTIVE') return notAvailable('An authenticator app');
        const checked = checkTotp(this.openSecret(user.id, factor.secretSealed), normaliseDigits(code), factor.lastCounter, now.getTime());
        if (!checked.ok) {
          return checked.reason === 'REUSED'
            ? refused(wrong('CODE_REUSED', 'That code was already used; wait for the next one in your authenticator app.'), true)
            : refused(wrong('CODE_INVALID', 'The code is not right.'), true);
        }
        await m.query(`UPDATE identity.totp_factors SET last_counter = $2 WHERE user_id = $1`, [user.id, checked.counter]);
        return { ok: true };
      }
      case 'RECOVERY_CODE': {
        const factor = await this.totp(m, user.id);
        if (factor?.status !== 'ACTIVE') return notAvailable('Recovery codes are');
        const normalised = normaliseRecoveryCode(code);
        if (!normalised) return refused(wrong('CODE_INVALID', 'That is not one of your recovery codes.'), true);
        const hash = this.hashRecoveryCode(user.id, normalised);
        const spent = returnedRows(
          await m.query(`UPDATE identity.recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`, [user.id, hash, now]),
        );
        if (spent.length === 0) {
          const [used]: Row[] = await m.query(`SELECT 1 FROM identity.recovery_codes WHERE user_id = $1 AND code_hash = $2`, [user.id, hash]);
          return used
            ? refused(wrong('CODE_REUSED', 'That recovery code was already used; each works once.'), true)
            : refused(wrong('CODE_INVALID', 'That is not one of your recovery codes.'), true);
        }
        const left = await this.recoveryCodesLeft(m, user.id);
        await recordAuditEvent(m, 'RECOVERY_CODE_USED', user.id, origin, { purpose: subject.purpose, codesLeft: left });
        return { ok: true };
      }
      default: {
        const [row]: Row[] = await m.query(`SELECT * FROM identity.mfa_codes WHERE purpose = $1 AND subject_id = $2 AND user_id = $3 FOR UPDATE`, [
          subject.purpose,
          subject.subjectId,
          user.id,
        ]);
        const channel = method as MfaChannel;
        if (!row || row.channel !== channel) {
          return refused(wrong('CODE_NOT_REQUESTED', `No ${channel === 'SMS' ? 'SMS' : 'email'} code was asked for; ask for one first.`), false);
        }
        if (row.used_at) return refused(wrong('CODE_REUSED', 'That code was already used; ask for a new one.'), false);
        if (toDate(row.expires_at).getTime() <= now.getTime()) return refused(wrong('CODE_EXPIRED', 'The code has expired; ask for a new one.'), false);
        const attempts = Number(row.attempts);
        if (attempts >= this.policy.maxFailuresPerChallenge) {
          return refused(wrong('CODE_ATTEMPTS_EXCEEDED', 'Too many wrong tries for this code; ask for a new one.'), false);
        }
        const stored = String(row.code_hash);
        const given = Buffer.from(ONE_TIME_CODE.test(normaliseDigits(code)) ? this.hashOneTimeCode(user.id, stored.split('.')[0], normaliseDigits(code)) : '');
        if (given.length !== stored.length || !timingSafeEqual(given, Buffer.from(stored))) {
          await m.query(`UPDATE identity.mfa_codes SET attempts = attempts + 1 WHERE id = $1`, [row.id]);
          return refused(wrong('CODE_INVALID', 'The code is not right.'), true);
        }
        await m.query(`UPDATE identity.mfa_codes SET used_at = $2 WHERE id = $1`, [row.id, now]);
        return { ok: true };
      }
    }
  }
}
