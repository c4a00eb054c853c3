import { DomainError, errors, type AccessTokenClaims } from '@meridian/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import type { SessionRow } from '../data/entities/session.entity';
import { amrWith, type MfaChannel, type MfaMethod } from '../domain/mfa';
import type { IssuedSession } from '../domain/session';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import type { CodeSent, SecondFactors } from './second-factors';
import { lockSession } from './session-family';
import type { SessionService } from './session-service';

const sessionOver = () => errors.unauthenticated('This session has ended. Sign in again.');

/**
 * Step-up authentication (Okta's and Auth0's "recent MFA"): a signed-in user
 * gives a second factor again, and the current session records it — its
 * `amr` gains the method and `mfa`, its `auth_time` becomes now — and answers
 * with a new access and refresh token for the same session (the refresh token
 * it had is retired). Operations that need a recent second factor check the
 * access token's `auth_time` (platform's requireRecentMfa).
 */
export class StepUps {
  constructor(
    private readonly db: DataSource,
    private readonly factors: SecondFactors,
    private readonly sessions: SessionService,
  ) {}

  /**
   * Sends a step-up code for the caller's session by email or SMS.
   * Errors: UNAUTHENTICATED (the session ended), BAD_USER_INPUT (no phone for
   * SMS), RATE_LIMITED (resent too soon), SERVICE_UNAVAILABLE.
   */
  async requestCode(caller: AccessTokenClaims, channel: MfaChannel, origin: RequestOrigin): Promise<CodeSent> {
    return this.db.transaction(async (m) => {
      const { user, session } = await this.live(m, caller);
      return this.factors.sendCode(m, user, { purpose: 'STEP_UP', subjectId: session.id }, channel, origin);
    });
  }

  /**
   * Checks a second factor for the caller's session and upgrades it.
   * Errors: UNAUTHENTICATED (the session ended), INVALID_CODE, RATE_LIMITED
   * (`reason` MFA_LOCKED), BAD_USER_INPUT (method not set up).
   */
  async stepUp(caller: AccessTokenClaims, method: MfaMethod, code: string, origin: RequestOrigin): Promise<IssuedSession> {
    const verdict = await this.db.transaction(async (m): Promise<{ session: IssuedSession } | { error: DomainError }> => {
      const { user, session } = await this.live(m, caller);
      const checked = await this.factors.verify(m, user, method, code, { purpose: 'STEP_UP', subjectId: session.id }, origin);
      if (!checked.ok) return { error: checked.error };
      const issued = await this.sessions.upgrade(m, session, user, { amr: amrWith(session.amr, method), authTime: new Date() });
      await recordAuditEvent(m, 'STEP_UP', user.id, origin, { sessionId: session.id, method });
      return { session: issued };
    });
    if ('error' in verdict) throw verdict.error;
    return verdict.session;
  }

  /** The caller's session, locked, and its user, while both may still act. Errors: UNAUTHENTICATED. */
  private async live(m: EntityManager, caller: AccessTokenClaims): Promise<{ user: UserRow; session: SessionRow }> {
    const session = await lockSession(m, caller.sessionId, caller.userId);
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) throw sessionOver();
    const user = await m.getRepository(UserEntity).findOneBy({ id: caller.userId });
    if (!user || user.status !== 'ACTIVE') throw sessionOver();
    return { user, session };
  }
}
