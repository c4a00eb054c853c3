import { errors, hasScope, type AccessTokenClaims } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { UserEntity } from '../data/entities/user.entity';
import { STAFF_ROLES } from '../domain/permissions';
import type { UserRecord } from '../domain/user';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { revokeAllApiKeys } from './api-key-service';
import { revokeAllSessions } from './session-family';
import { anotherActiveAdmin, lastAdmin, lockUserRow, staffReason } from './staff-guards';
import { toUserRecord } from './user-mapper';

/**
 * Staff locks: a locked user (status LOCKED) cannot sign in or refresh, and
 * locking ends every session they have at once. Apart from the sign-in
 * throttle's temporary lock, which `unlockSignIn` ends.
 */
export class UserLockService {
  constructor(private readonly db: DataSource) {}

  /**
   * Locks the user out and ends their sessions; a locked user stays as is.
   * Only a holder of `staff:manage` locks a staff member, and never the last
   * active administrator. Audited (USER_LOCKED: actor, reason, sessions ended).
   * Errors: BAD_USER_INPUT (reason), NOT_FOUND, FORBIDDEN (yourself, or staff
   * without `staff:manage`), CONFLICT (closed account; `reason` LAST_ADMIN).
   */
  async lock(actor: AccessTokenClaims, userId: string, reasonInput: string, origin: RequestOrigin): Promise<UserRecord> {
    const reason = staffReason(reasonInput);
    if (actor.userId === userId) throw errors.forbidden('You cannot lock yourself out.');
    return this.db.transaction(async (manager) => {
      const othersRemain = await anotherActiveAdmin(manager, userId);
      const user = await lockUserRow(manager, userId);
      if (!user) throw errors.notFound('User not found.');
      if (user.status === 'LOCKED') return toUserRecord(user);
      if (user.status === 'DISABLED') throw errors.conflict('The account is closed.', { reason: 'DISABLED' });
      if (user.roles.some((role) => STAFF_ROLES.includes(role)) && !hasScope(actor, 'staff:manage')) {
        throw errors.forbidden('Only an administrator may lock a staff member.');
      }
      if (user.roles.includes('ADMIN') && !othersRemain) throw lastAdmin();
      const updatedAt = new Date();
      await manager.update(UserEntity, { id: user.id }, { status: 'LOCKED', updatedAt });
      const sessionsEnded = await revokeAllSessions(manager, user.id);
      const apiKeysRevoked = await revokeAllApiKeys(manager, user.id, 'USER_LOCKED', origin);
      await recordAuditEvent(manager, 'USER_LOCKED', user.id, origin, {
        actorId: actor.userId,
        reason,
        sessionsEnded: sessionsEnded.length,
        ...(apiKeysRevoked.length ? { apiKeysRevoked: apiKeysRevoked.length } : {}),
      });
      return toUserRecord({ ...user, status: 'LOCKED', updatedAt });
    });
  }

  /**
   * Ends a staff lock; an active user stays as is. Audited (USER_UNLOCKED:
   * actor, reason). Errors: BAD_USER_INPUT (reason), NOT_FOUND, CONFLICT (closed account).
   */
  async unlock(actor: AccessTokenClaims, userId: string, reasonInput: string, origin: RequestOrigin): Promise<UserRecord> {
    const reason = staffReason(reasonInput);
    return this.db.transaction(async (manager) => {
      const user = await lockUserRow(manager, userId);
      if (!user) throw errors.notFound('User not found.');
      if (user.status === 'ACTIVE') return toUserRecord(user);
      if (user.status === 'DISABLED') throw errors.conflict('The account is closed.', { reason: 'DISABLED' });
      const updatedAt = new Date();
      await manager.update(UserEntity, { id: user.id }, { status: 'ACTIVE', updatedAt });
      await recordAuditEvent(manager, 'USER_UNLOCKED', user.id, origin, { actorId: actor.userId, reason });
      return toUserRecord({ ...user, status: 'ACTIVE', updatedAt });
    });
  }
}
