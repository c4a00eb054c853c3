import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { DEFAULT_STEP_UP_MAX_AGE_SECONDS, DomainError, ErrorCode, errors, hasRecentMfa, stepUpRequired, type AccessTokenClaims, type DataProtection, type Notifier } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { ProfileStore } from '../data/profile-store';
import { toDate, type Row } from '@meridian/platform';
import { maskPhone } from '../domain/masking';
import { parseMobileNumber } from '../domain/phone';
import type { FieldStates } from '../domain/profile';
import { profileView, type ProfileView } from '../domain/profile-view';

/** How phone codes work. */
export interface PhoneCodePolicy {
  /** How long a code works; default 10 minutes. */
  ttlMs: number;
  /** Wrong tries before the code is dead; default 5. */
  maxAttempts: number;
  /** Shortest wait between two codes for one customer; default 60 s. */
  resendAfterMs: number;
  /** How recent a second factor must be to replace a verified number (a phone change); default 5 minutes. */
  stepUpMaxAgeSeconds?: number;
}

export const DEFAULT_PHONE_CODE_POLICY: PhoneCodePolicy = { ttlMs: 10 * 60_000, maxAttempts: 5, resendAfterMs: 60_000 };

/** What `requestPhoneCode` answers. */
export interface PhoneCodeRequestResult {
  phone: string;
  expiresAt: Date;
  resendAfter: Date;
}

const CODE = /^\d{6}$/;

type Verdict = { kind: 'verified'; profile: ProfileView } | { kind: 'refused'; error: DomainError };

/**
 * One-time codes that prove a customer holds a mobile number: 6 digits from a
 * CSPRNG, kept only as an HMAC with a salt of their own (under the
 * blind-index key, so a database dump alone does not reveal them), valid
 * 10 minutes, dead after 5 wrong tries; a new request replaces the old code.
 * A wrong try is counted in its own committed transaction with the row
 * locked, so concurrent guesses cannot go past the limit.
 */
export class PhoneVerification {
  constructor(
    private readonly db: DataSource,
    private readonly profiles: ProfileStore,
    private readonly protection: DataProtection,
    private readonly notifier: Notifier,
    private readonly policy: PhoneCodePolicy = DEFAULT_PHONE_CODE_POLICY,
  ) {}

  private hash(userId: string, salt: string, code: string): string {
    return `${salt}.${this.protection.blindIndex(`${salt}:${code}`, `kyc.phone_code:${userId}`)}`;
  }

  /**
   * Sends a code to `phoneInput`. Replacing a verified number with another is a
   * phone change and needs a recent second factor, as email and password changes do.
   * Errors: BAD_USER_INPUT (`reason` PHONE_INVALID, PHONE_NOT_MOBILE), STEP_UP_REQUIRED,
   * RATE_LIMITED (`retryAfter`), SERVICE_UNAVAILABLE (not sent; nothing kept).
   */
  async request(user: AccessTokenClaims, phoneInput: string): Promise<PhoneCodeRequestResult> {
    const phone = parseMobileNumber(phoneInput);
    return this.db.transaction(async (m) => {
      await this.profiles.ensure(m, user.userId);
      const profile = await this.profiles.find(m, user.userId, { forUpdate: true });
      const maxAgeSeconds = this.policy.stepUpMaxAgeSeconds ?? DEFAULT_STEP_UP_MAX_AGE_SECONDS;
      const replacing = profile?.fields.phone?.status === 'VERIFIED' && profile.data.phone !== phone;
      if (replacing && !hasRecentMfa(user, maxAgeSeconds)) throw stepUpRequired({ maxAgeSeconds, action: 'changePhone' });
      const [previous]: Row[] = await m.query(`SELECT created_at FROM kyc.phone_codes WHERE user_id = $1`, [user.userId]);
      if (previous) {
        const waitMs = toDate(previous.created_at).getTime() + this.policy.resendAfterMs - Date.now();
        if (waitMs > 0) {
          const retryAfter = Math.ceil(waitMs / 1000);
          throw new DomainError(ErrorCode.RATE_LIMITED, `A code was sent moments ago; ask again in ${retryAfter} s.`, { retryAfter, reason: 'CODE_RESEND_TOO_SOON' });
        }
      }
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const salt = randomBytes(12).toString('base64url');
      const now = Date.now();
      const expiresAt = new Date(now + this.policy.ttlMs);
      await m.query(
        `INSERT INTO kyc.phone_codes (user_id, phone, code_hash, attempts, created_at, expires_at) VALUES ($1, $2, $3, 0, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET phone = EXCLUDED.phone, code_hash = EXCLUDED.code_hash, attempts = 0,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
        [user.userId, this.profiles.seal('phone', user.userId, phone), this.hash(user.userId, salt, code), new Date(now), expiresAt],
      );
      // Sent inside the transaction: if sending fails nothing is kept, and the customer may ask again at once.
      await this.notifier.send({
        channel: 'SMS',
        to: phone,
        template: 'kyc.phone_code',
        text: `Your Meridian verification code is ${code}. It expires in ${Math.round(this.policy.ttlMs / 60_000)} minutes. Never share it, not even with us.`,
        data: { code },
      });
      return { phone: maskPhone(phone), expiresAt, resendAfter: new Date(now + this.policy.resendAfterMs) };
    });
  }

  /**
   * Checks a code; on success the number becomes the profile's verified phone.
   * Errors: BAD_USER_INPUT with `reason` CODE_FORMAT, CODE_NOT_REQUESTED,
   * CODE_EXPIRED, CODE_INVALID (with `attemptsRemaining`), CODE_ATTEMPTS_EXCEEDED.
   */
  async verify(user: AccessTokenClaims, codeInput: string): Promise<ProfileView> {
    const code = codeInput.trim();
    if (!CODE.test(code)) throw errors.badInput('The code is the 6 digits we sent.', { field: 'code', reason: 'CODE_FORMAT' });
    const verdict = await this.db.transaction(async (m): Promise<Verdict> => {
      const [row]: Row[] = await m.query(`SELECT * FROM kyc.phone_codes WHERE user_id = $1 FOR UPDATE`, [user.userId]);
      const refuse = (reason: string, message: string, extra: Record<string, unknown> = {}): Verdict => ({
        kind: 'refused',
        error: errors.badInput(message, { field: 'code', reason, ...extra }),
      });
      if (!row) return refuse('CODE_NOT_REQUESTED', 'No code was asked for; ask for one first.');
      const attempts = Number(row.attempts);
      if (attempts >= this.policy.maxAttempts) return refuse('CODE_ATTEMPTS_EXCEEDED', 'Too many wrong codes; ask for a new one.');
      if (toDate(row.expires_at).getTime() <= Date.now()) return refuse('CODE_EXPIRED', 'The code has expired; ask for a new one.');
      const stored = String(row.code_hash);
      const [salt] = stored.split('.');
      const given = Buffer.from(this.hash(user.userId, salt, code));
      if (given.length !== stored.length || !timingSafeEqual(given, Buffer.from(stored))) {
        await m.query(`UPDATE kyc.phone_codes SET attempts = attempts + 1 WHERE user_id = $1`, [user.userId]);
        const attemptsRemaining = this.policy.maxAttempts - attempts - 1;
        return attemptsRemaining > 0
          ? refuse('CODE_INVALID', 'The code is not right.', { attemptsRemaining })
          : refuse('CODE_INVALID', 'The code is not right, and that was the last try; ask for a new one.', { attemptsRemaining: 0 });
      }
      const profile = (await this.profiles.find(m, user.userId, { forUpdate: true }))!;
      const number = this.profiles.open('phone', user.userId, row.phone)!;
      const now = new Date().toISOString();
      const fields: FieldStates = { ...profile.fields, phone: { status: 'VERIFIED', source: 'PHONE_CODE', updatedAt: now, verifiedAt: now } };
      await this.profiles.write(m, user.userId, { phone: number }, fields);
      await m.query(`DELETE FROM kyc.phone_codes WHERE user_id = $1`, [user.userId]);
      return { kind: 'verified', profile: profileView({ ...profile.data, phone: number }, fields, 'CUSTOMER') };
    });
    if (verdict.kind === 'refused') throw verdict.error;
    return verdict.profile;
  }
}
