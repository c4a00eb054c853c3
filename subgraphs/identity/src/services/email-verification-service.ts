import { errors, mapPostgresError, uuidv7 } from '@meridian/platform';
import { IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import { EmailVerificationEntity, type EmailVerificationRow } from '../data/entities/email-verification.entity';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import { generateAccountToken, hashAccountToken, isLive, looksLikeAccountToken, type AccountTokenPolicy } from '../domain/account-token';
import { normaliseEmail } from '../domain/email';
import type { AccountMailer } from './account-mailer';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { reauthenticate } from './reauthentication';
import type { SignInThrottle } from './sign-in-throttle';

/** Why a link was sent: to prove the user's own address, or a new one they asked to move to. */
type Purpose = 'verify' | 'change';

/** The same answer for a wrong, used, replaced or expired link. */
const invalidLink = () => errors.invalidCode('The verification link is not valid: it is wrong, already used, replaced by a newer one or expired.');

/**
 * Proving email addresses: the link sent at registration (and again on
 * request), and the change of a user's address, which happens only once the
 * new address is proved. Links are single-use, expire, are kept only as
 * SHA-256 hashes, and a newer link for the same purpose voids the older ones.
 */
export class EmailVerificationService {
  constructor(
    private readonly db: DataSource,
    private readonly mailer: AccountMailer,
    private readonly throttle: SignInThrottle,
    private readonly policy: AccountTokenPolicy,
  ) {}

  /**
   * Stores a new link proving `email` for `user`, in the caller's transaction,
   * voiding the user's older live links of the same purpose, and audits it.
   * Returns the token for the message the caller sends once the transaction has committed.
   */
  async issue(manager: EntityManager, user: Pick<UserRow, 'id' | 'email'>, email: string, origin: RequestOrigin): Promise<string> {
    const purpose: Purpose = email === user.email ? 'verify' : 'change';
    const now = new Date();
    await manager.update(
      EmailVerificationEntity,
      { userId: user.id, usedAt: IsNull(), voidedAt: IsNull(), email: purpose === 'verify' ? user.email : Not(user.email) },
      { voidedAt: now },
    );
    const { token, hash } = generateAccountToken('EMAIL_VERIFICATION');
    const row: EmailVerificationRow = {
      id: uuidv7(),
      userId: user.id,
      email,
      tokenHash: hash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.policy.emailVerificationTtlMs),
      usedAt: null,
      voidedAt: null,
    };
    await manager.insert(EmailVerificationEntity, row);
    await recordAuditEvent(manager, 'EMAIL_VERIFICATION_SENT', user.id, origin, { email, purpose });
    return token;
  }

  /**
   * Uses a verification link: the user's address becomes verified, or, for a
   * link sent to a new address, the address changes to it (verified) and the
   * old address is told. Errors: INVALID_CODE (wrong, used, replaced or
   * expired; also when the new address has meanwhile become another account's).
   */
  async verify(token: string, origin: RequestOrigin): Promise<boolean> {
    if (!looksLikeAccountToken(token, 'EMAIL_VERIFICATION')) throw invalidLink();
    let outcome: { kind: 'verified' } | { kind: 'changed'; from: string; to: string } | { kind: 'invalid' };
    try {
      outcome = await this.db.transaction(async (manager) => {
        const link = await manager.getRepository(EmailVerificationEntity).findOne({
          where: { tokenHash: hashAccountToken(token) },
          lock: { mode: 'pessimistic_write' },
        });
        const now = new Date();
        if (!isLive(link, now)) return { kind: 'invalid' as const };
        const user = await manager.getRepository(UserEntity).findOne({ where: { id: link.userId }, lock: { mode: 'pessimistic_write' } });
        if (!user || user.status === 'DISABLED') return { kind: 'invalid' as const };
        await manager.update(EmailVerificationEntity, { id: link.id }, { usedAt: now });
        if (link.email === user.email) {
          if (!user.emailVerifiedAt) await manager.update(UserEntity, { id: user.id }, { emailVerifiedAt: now, updatedAt: now });
          await recordAuditEvent(manager, 'EMAIL_VERIFIED', user.id, origin, { email: link.email });
          return { kind: 'verified' as const };
        }
        const taken = await manager.getRepository(UserEntity).existsBy({ email: link.email });
        if (taken) {
          // The new address became another account's after the request: the change cannot complete.
          await recordAuditEvent(manager, 'EMAIL_VERIFIED', user.id, origin, { email: link.email, changed: false, reason: 'ADDRESS_TAKEN' });
          return { kind: 'invalid' as const };
        }
        await manager.update(UserEntity, { id: user.id }, { email: link.email, emailVerifiedAt: now, updatedAt: now });
        // Links for the old address, and any other pending change, prove nothing any more.
        await manager.update(EmailVerificationEntity, { userId: user.id, usedAt: IsNull(), voidedAt: IsNull() }, { voidedAt: now });
        await recordAuditEvent(manager, 'EMAIL_CHANGED', user.id, origin, { from: user.email, to: link.email });
        return { kind: 'changed' as const, from: user.email, to: link.email };
      });
    } catch (err) {
      // Two accounts racing to the same new address: the loser's change cannot complete.
      throw mapPostgresError(err, { constraints: { users_email_key: invalidLink } }) ?? err;
    }
    if (outcome.kind === 'invalid') throw invalidLink();
    if (outcome.kind === 'changed') this.mailer.emailChanged(outcome.from, outcome.to);
    return true;
  }

  /**
   * Sends a new link for the signed-in user's own address, voiding older ones.
   * Returns false, sending nothing, when the address is already verified.
   * Errors: UNAUTHENTICATED (no such active user).
   */
  async resend(userId: string, origin: RequestOrigin): Promise<boolean> {
    const sent = await this.db.transaction(async (manager) => {
      const user = await manager.getRepository(UserEntity).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user || user.status === 'DISABLED') throw errors.unauthenticated('This account no longer exists.');
      if (user.emailVerifiedAt) return null;
      return { user, token: await this.issue(manager, user, user.email, origin) };
    });
    if (!sent) return false;
    this.mailer.emailVerification(sent.user.email, sent.user.displayName, sent.token, 'verify');
    return true;
  }

  /**
   * Asks to change the signed-in user's email address to `newEmail`, after
   * checking their password (counted like a sign-in attempt). A link goes to
   * the new address and a notice to the current one; the address changes
   * only when the link is used. An address that already has an account
   * answers the same: its owner is told, and the change cannot complete.
   * Errors: UNAUTHENTICATED (no such active user), BAD_USER_INPUT (`field`
   * newEmail: malformed, or already the user's address), FORBIDDEN (`reason`
   * WRONG_PASSWORD, `field` currentPassword; nothing changed), RATE_LIMITED
   * (too many wrong passwords for this address).
   */
  async changeEmail(userId: string, newEmailInput: string, currentPassword: string, origin: RequestOrigin): Promise<boolean> {
    let newEmail: string;
    try {
      newEmail = normaliseEmail(newEmailInput);
    } catch {
      throw errors.badInput('The new email address is not valid.', { field: 'newEmail' });
    }
    const user = await reauthenticate(this.db, this.throttle, { userId, password: currentPassword, operation: 'changeEmail' }, origin);
    if (newEmail === user.email) throw errors.badInput('This is already your email address.', { field: 'newEmail' });
    const taken = await this.db.getRepository(UserEntity).existsBy({ email: newEmail });
    const token = await this.db.transaction(async (manager) => {
      await recordAuditEvent(manager, 'EMAIL_CHANGE_REQUESTED', user.id, origin, { from: user.email, to: newEmail, ...(taken ? { outcome: 'ADDRESS_TAKEN' } : {}) });
      if (taken) {
        // A taken address voids pending changes as a free one does, so both requests do the same.
        await manager.update(EmailVerificationEntity, { userId: user.id, usedAt: IsNull(), voidedAt: IsNull(), email: Not(user.email) }, { voidedAt: new Date() });
        return null;
      }
      return this.issue(manager, user, newEmail, origin);
    });
    this.mailer.emailChangeRequested(user.email, newEmail);
    if (token) this.mailer.emailVerification(newEmail, user.displayName, token, 'change');
    else this.mailer.emailChangeConflict(newEmail);
    return true;
  }
}
