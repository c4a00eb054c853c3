import { DomainError, errors, uuidv7 } from '@meridian/platform';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { PasswordResetEntity, type PasswordResetRow } from '../data/entities/password-reset.entity';
import { SessionEntity } from '../data/entities/session.entity';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import {
  generateAccountToken,
  generateResetCode,
  hashAccountToken,
  hashResetCode,
  isLive,
  looksLikeAccountToken,
  normaliseResetCode,
  resetCodeMatches,
  type AccountTokenPolicy,
} from '../domain/account-token';
import { normaliseEmail } from '../domain/email';
import { assertStrongPassword, hashPassword } from '../domain/password';
import type { AccountMailer } from './account-mailer';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { reauthenticate } from './reauthentication';
import { revokeAllApiKeys } from './api-key-service';
import { revokeAllSessions, revokeFamily } from './session-family';
import type { SignInThrottle } from './sign-in-throttle';

/** The same answer for a wrong, used, replaced, voided or expired link or code, and for an unknown address. */
const invalidReset = () => errors.invalidCode('The reset link or code is not valid: it is wrong, already used, replaced by a newer one or expired. Ask for a new one.');

/** Who changes their password: the signed-in user and the session that stays signed in. */
export interface PasswordCaller {
  userId: string;
  sessionId: string;
}

/**
 * Forgotten and changed passwords. A reset is asked for by email address and
 * answers the same whether or not the address has an account; the email holds
 * a link and an 8-digit code, single-use, 30 minutes, kept only as SHA-256
 * hashes; a newer request voids older ones and too many wrong codes void the
 * reset. A completed reset ends every session of the user and clears the
 * sign-in throttle; a change (with the current password) ends every session
 * but the caller's.
 */
export class PasswordService {
  constructor(
    private readonly db: DataSource,
    private readonly mailer: AccountMailer,
    private readonly throttle: SignInThrottle,
    private readonly policy: AccountTokenPolicy,
  ) {}

  /**
   * Sends a reset link and code to `emailInput` if it belongs to an active
   * account; answers true either way, after the same work (token and code
   * made and hashed, one transaction, the message sent after the answer).
   * Errors: BAD_USER_INPUT (not an email address; says nothing about accounts).
   */
  async requestReset(emailInput: string, origin: RequestOrigin): Promise<boolean> {
    const email = normaliseEmail(emailInput);
    const id = uuidv7();
    const { token, hash } = generateAccountToken('PASSWORD_RESET');
    const code = generateResetCode();
    const codeHash = hashResetCode(id, code);
    const now = new Date();
    const recipient = await this.db.transaction(async (manager) => {
      // The user's row lock puts concurrent requests in line, so exactly one reset stays live.
      const user = await manager.getRepository(UserEntity).findOne({ where: { email }, lock: { mode: 'pessimistic_write' } });
      const eligible = user?.status === 'ACTIVE';
      // Run for an unknown address too (it matches nothing), so both paths do the same statements but the insert.
      await this.voidLiveResets(manager, user?.id ?? null, now);
      if (user && eligible) {
        const row: PasswordResetRow = {
          id,
          userId: user.id,
          tokenHash: hash,
          codeHash,
          failedAttempts: 0,
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.policy.passwordResetTtlMs),
          usedAt: null,
          voidedAt: null,
        };
        await manager.insert(PasswordResetEntity, row);
      }
      await recordAuditEvent(manager, 'PASSWORD_RESET_REQUESTED', user?.id ?? null, origin, {
        email,
        sent: eligible,
        ...(user && !eligible ? { reason: user.status } : {}),
      });
      return user && eligible ? user.email : null;
    });
    if (recipient) this.mailer.passwordReset(recipient, token, code);
    return true;
  }

  /**
   * Sets a new password with the link's token. Errors: INVALID_CODE (wrong,
   * used, replaced or expired), BAD_USER_INPUT (weak password: nothing
   * changed, the link still works).
   */
  async resetWithToken(token: string, newPassword: string, origin: RequestOrigin): Promise<boolean> {
    if (!looksLikeAccountToken(token, 'PASSWORD_RESET')) throw invalidReset();
    const reset = await this.db.getRepository(PasswordResetEntity).findOneBy({ tokenHash: hashAccountToken(token) });
    if (!isLive(reset, new Date())) throw invalidReset();
    return this.complete(reset, newPassword, 'LINK', origin);
  }

  /**
   * Sets a new password with the address and the code from the email. A wrong
   * code is counted against the address's live reset (in its own committed
   * transaction, under the reset's row lock); at the limit the reset is void.
   * Errors: INVALID_CODE (wrong, used, replaced, voided or expired code, or an
   * address without a live reset, all alike), BAD_USER_INPUT (not an email
   * address; a weak password, with nothing changed and the code still good).
   */
  async resetWithCode(emailInput: string, codeInput: string, newPassword: string, origin: RequestOrigin): Promise<boolean> {
    const email = normaliseEmail(emailInput);
    const code = normaliseResetCode(codeInput);
    const now = new Date();
    const reset = await this.db.transaction(async (manager) => {
      const user = await manager.getRepository(UserEntity).findOneBy({ email });
      const live = user
        ? await manager.getRepository(PasswordResetEntity).findOne({
            where: { userId: user.id, usedAt: IsNull(), voidedAt: IsNull() },
            order: { createdAt: 'DESC' },
            lock: { mode: 'pessimistic_write' },
          })
        : null;
      if (isLive(live, now) && code && resetCodeMatches(live.id, code, live.codeHash)) return live;
      const failedAttempts = live ? live.failedAttempts + 1 : 0;
      const voided = !!live && failedAttempts >= this.policy.maxResetCodeAttempts;
      if (live) await manager.update(PasswordResetEntity, { id: live.id }, { failedAttempts, ...(voided ? { voidedAt: now } : {}) });
      await recordAuditEvent(manager, 'PASSWORD_RESET_CODE_FAILED', user?.id ?? null, origin, { email, ...(live ? { failedAttempts, voided } : {}) });
      return null;
    });
    if (!reset) throw invalidReset();
    return this.complete(reset, newPassword, 'CODE', origin);
  }

  /**
   * Changes the signed-in user's password after checking the current one
   * (counted like a sign-in attempt), ends every other session of theirs, and
   * tells them by email. Errors: UNAUTHENTICATED, FORBIDDEN (`reason`
   * WRONG_PASSWORD, `field` currentPassword), BAD_USER_INPUT (`field`
   * newPassword: weak, or the same as the current one), RATE_LIMITED; nothing
   * changes on any error.
   */
  async changePassword(caller: PasswordCaller, currentPassword: string, newPassword: string, origin: RequestOrigin): Promise<boolean> {
    const user = await reauthenticate(this.db, this.throttle, { userId: caller.userId, password: currentPassword, operation: 'changePassword' }, origin);
    if (newPassword === currentPassword) throw errors.badInput('The new password must differ from the current one.', { field: 'newPassword' });
    assertNewPassword(newPassword, user);
    const passwordHash = await hashPassword(newPassword);
    await this.db.transaction(async (manager) => {
      const now = new Date();
      await manager.update(UserEntity, { id: user.id }, { passwordHash, updatedAt: now });
      // A reset asked for before the change would undo it: void it.
      await this.voidLiveResets(manager, user.id, now);
      const others = await manager.getRepository(SessionEntity).find({ where: { userId: user.id, revokedAt: IsNull() }, order: { id: 'ASC' }, select: { id: true } });
      const sessionIds: string[] = [];
      for (const { id } of others) if (id !== caller.sessionId && (await revokeFamily(manager, id, user.id))) sessionIds.push(id);
      await recordAuditEvent(manager, 'PASSWORD_CHANGED', user.id, origin, { sessionsEnded: sessionIds.length });
    });
    this.mailer.passwordChanged(user.email, 'change');
    return true;
  }

  /** Checks the new password, hashes it, and uses the reset in one transaction if it is still live then. */
  private async complete(reset: PasswordResetRow, newPassword: string, via: 'LINK' | 'CODE', origin: RequestOrigin): Promise<boolean> {
    const user = await this.db.getRepository(UserEntity).findOneBy({ id: reset.userId });
    if (!user || user.status !== 'ACTIVE') throw invalidReset();
    assertNewPassword(newPassword, user);
    const passwordHash = await hashPassword(newPassword);
    const done = await this.db.transaction(async (manager) => {
      const now = new Date();
      // Under the reset's row lock: of two uses at once, one finds it used.
      const current = await manager.getRepository(PasswordResetEntity).findOne({ where: { id: reset.id }, lock: { mode: 'pessimistic_write' } });
      if (!isLive(current, now)) return false;
      const locked = await manager.getRepository(UserEntity).findOne({ where: { id: user.id }, lock: { mode: 'pessimistic_write' } });
      if (!locked || locked.status !== 'ACTIVE') return false;
      await manager.update(PasswordResetEntity, { id: reset.id }, { usedAt: now });
      await this.voidLiveResets(manager, user.id, now);
      // The email was read, so the address is proved too.
      await manager.update(UserEntity, { id: user.id }, { passwordHash, updatedAt: now, emailVerifiedAt: locked.emailVerifiedAt ?? now });
      const sessionIds = await revokeAllSessions(manager, user.id);
      // A reset recovers an account: keys made by whoever held it end too.
      const apiKeysRevoked = await revokeAllApiKeys(manager, user.id, 'PASSWORD_RESET', origin);
      await this.throttle.clear(manager, locked.email);
      await recordAuditEvent(manager, 'PASSWORD_RESET', user.id, origin, {
        via,
        sessionsEnded: sessionIds.length,
        ...(apiKeysRevoked.length ? { apiKeysRevoked: apiKeysRevoked.length } : {}),
      });
      return true;
    });
    if (!done) throw invalidReset();
    this.mailer.passwordChanged(user.email, 'reset');
    return true;
  }

  private async voidLiveResets(manager: EntityManager, userId: string | null, now: Date): Promise<void> {
    await manager.query(`UPDATE identity.password_resets SET voided_at = $2 WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL`, [userId, now]);
  }
}

/** The strength policy, naming the `newPassword` field. Errors: BAD_USER_INPUT. */
function assertNewPassword(password: string, user: Pick<UserRow, 'email' | 'displayName'>): void {
  try {
    assertStrongPassword(password, user.email, user.displayName);
  } catch (err) {
    if (err instanceof DomainError) throw errors.badInput(err.message, { field: 'newPassword' });
    throw err;
  }
}
