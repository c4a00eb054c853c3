import { DomainError, errors, toDate, uuidv7, type Row } from '@meridian/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import { amrWith, generateMfaToken, hashMfaToken, looksLikeMfaToken, type MfaChannel, type MfaMethod } from '../domain/mfa';
import { deviceMatches, normaliseDeviceId, type IssuedSession } from '../domain/session';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import type { CodeSent, SecondFactors } from './second-factors';
import type { SecondFactorChallenge, SessionService, SignInGate } from './session-service';
import type { TotpEnrolments } from './totp-enrolment';

/** A sign-in challenge, locked. */
interface ChallengeRow {
  id: string;
  userId: string;
  deviceId: string | null;
  failures: number;
}

const signInAgain = () =>
  errors.invalidCode('This sign-in has expired, finished or been given up after too many wrong codes. Sign in again with your password.', {
    field: 'mfaToken',
    reason: 'MFA_TOKEN_INVALID',
  });

/**
 * The second step of signing in, as Auth0's MFA API shapes it: a right
 * password for a user who needs a second factor opens no session but a
 * challenge — an opaque `mfaToken` (stored hashed) good for one sign-in
 * attempt, for 5 minutes and 5 wrong guesses — which `completeSignIn` turns
 * into a session with a TOTP, recovery, email or SMS code.
 */
export class MfaSignIn implements SignInGate {
  constructor(
    private readonly db: DataSource,
    private readonly factors: SecondFactors,
    private readonly enrolments: TotpEnrolments,
    private readonly sessions: SessionService,
  ) {}

  /** For SessionService.login: a challenge when `user` needs a second factor, else null. */
  async challenge(m: EntityManager, user: UserRow, deviceId: string | null, origin: RequestOrigin): Promise<SecondFactorChallenge | null> {
    if (!(await this.enrolments.signInNeedsSecondFactor(m, user))) return null;
    const now = new Date();
    await m.query(
      `DELETE FROM identity.mfa_challenges WHERE id IN (SELECT id FROM identity.mfa_challenges WHERE expires_at < $1 ORDER BY expires_at LIMIT 10 FOR UPDATE SKIP LOCKED)`,
      [new Date(now.getTime() - 86_400_000)],
    );
    const { token, hash } = generateMfaToken();
    const expiresAt = new Date(now.getTime() + this.factors.policy.challengeTtlMs);
    const id = uuidv7();
    await m.query(
      `INSERT INTO identity.mfa_challenges (id, user_id, token_hash, device_id, failures, created_at, expires_at) VALUES ($1, $2, $3, $4, 0, $5, $6)`,
      [id, user.id, hash, deviceId, now, expiresAt],
    );
    const methods = await this.factors.methodsFor(m, user);
    await recordAuditEvent(m, 'MFA_CHALLENGE_STARTED', user.id, origin, { challengeId: id, methods, deviceId });
    return { mfaToken: token, methods, expiresAt };
  }

  /**
   * Sends a sign-in code by email or SMS for the sign-in `mfaToken` names.
   * Errors: INVALID_CODE (`reason` MFA_TOKEN_INVALID: unknown, expired, finished
   * or given up), BAD_USER_INPUT (no phone for SMS), RATE_LIMITED (resent too soon),
   * SERVICE_UNAVAILABLE.
   */
  async sendCode(mfaToken: string, channel: MfaChannel, origin: RequestOrigin): Promise<CodeSent> {
    return this.db.transaction(async (m) => {
      const challenge = await this.lockChallenge(m, mfaToken);
      if (!challenge || challenge.failures >= this.factors.policy.maxFailuresPerChallenge) throw signInAgain();
      const user = await this.activeUser(m, challenge.userId);
      if (!user) throw signInAgain();
      return this.factors.sendCode(m, user, { purpose: 'SIGN_IN', subjectId: challenge.id }, channel, origin);
    });
  }

  /**
   * Finishes the sign-in `mfaToken` names with a second factor and opens the
   * session (its `amr` says which factor, `auth_time` is now). A session
   * started on a device must finish on it. Wrong guesses count against the
   * sign-in and the user (see SecondFactors.verify); the fifth ends the sign-in.
   * Errors: INVALID_CODE (`reason` MFA_TOKEN_INVALID, CODE_INVALID, …),
   * RATE_LIMITED (`reason` MFA_LOCKED), BAD_USER_INPUT (method not set up).
   */
  async complete(mfaToken: string, method: MfaMethod, code: string, deviceId: string | null | undefined, origin: RequestOrigin): Promise<IssuedSession> {
    const verdict = await this.db.transaction(async (m): Promise<{ session: IssuedSession } | { error: DomainError }> => {
      const challenge = await this.lockChallenge(m, mfaToken);
      if (!challenge || challenge.failures >= this.factors.policy.maxFailuresPerChallenge) return { error: signInAgain() };
      const device = normaliseDeviceId(deviceId);
      if (challenge.deviceId !== null && !deviceMatches(challenge.deviceId, device)) return { error: signInAgain() };
      const user = await this.activeUser(m, challenge.userId);
      if (!user) return { error: signInAgain() };
      const checked = await this.factors.verify(m, user, method, code, { purpose: 'SIGN_IN', subjectId: challenge.id }, origin);
      if (!checked.ok) {
        if (checked.counted) await m.query(`UPDATE identity.mfa_challenges SET failures = failures + 1 WHERE id = $1`, [challenge.id]);
        return { error: checked.error };
      }
      const now = new Date();
      await m.query(`UPDATE identity.mfa_challenges SET completed_at = $2 WHERE id = $1`, [challenge.id, now]);
      const session = await this.sessions.open(m, user, challenge.deviceId ?? device, origin, { amr: amrWith(['pwd'], method), authTime: now });
      await recordAuditEvent(m, 'MFA_SIGN_IN', user.id, origin, { sessionId: session.sessionId, method, deviceId: challenge.deviceId ?? device });
      return { session };
    });
    if ('error' in verdict) throw verdict.error;
    return verdict.session;
  }

  /** The live challenge of a token, locked: not finished and not expired. */
  private async lockChallenge(m: EntityManager, mfaToken: string): Promise<ChallengeRow | null> {
    if (!looksLikeMfaToken(mfaToken)) return null;
    const [row]: Row[] = await m.query(
      `SELECT id, user_id, device_id, failures, expires_at, completed_at FROM identity.mfa_challenges WHERE token_hash = $1 FOR UPDATE`,
      [hashMfaToken(mfaToken)],
    );
    if (!row || row.completed_at || toDate(row.expires_at).getTime() <= Date.now()) return null;
    return { id: String(row.id), userId: String(row.user_id), deviceId: (row.device_id as string | null) ?? null, failures: Number(row.failures) };
  }

  private async activeUser(m: EntityManager, userId: string): Promise<UserRow | null> {
    const user = await m.getRepository(UserEntity).findOneBy({ id: userId });
    return user && user.status === 'ACTIVE' ? user : null;
  }
}
