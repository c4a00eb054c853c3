import { errors, isUuid } from '@meridian/platform';
import type { EntityManager } from 'typeorm';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import { mixesCustomerAndStaff, STAFF_ROLES } from '../domain/permissions';
import type { Role } from '../domain/user';

/** The last administrator may not lose ADMIN (nor be locked out): someone must be able to manage staff. */
export const lastAdmin = () =>
  errors.conflict('This would leave no active administrator. Make someone else ADMIN first.', { reason: 'LAST_ADMIN' });

/** Checks a set of roles: at least one, and customer and staff roles never together. Errors: BAD_USER_INPUT. */
export function checkRoles(roles: readonly Role[], options: { staffOnly?: boolean } = {}): Role[] {
  const unique = [...new Set(roles)];
  if (!unique.length) throw errors.badInput('Give at least one role.', { field: 'roles' });
  if (mixesCustomerAndStaff(unique)) {
    throw errors.badInput('A staff member is not also a customer: give CUSTOMER alone, or staff roles only.', { field: 'roles', reason: 'STAFF_AND_CUSTOMER' });
  }
  if (options.staffOnly && !unique.every((role) => STAFF_ROLES.includes(role))) {
    throw errors.badInput('A staff member holds staff roles only (SUPPORT, COMPLIANCE, ADMIN).', { field: 'roles' });
  }
  return unique;
}

/**
 * Locks every active administrator's row, in id order (so concurrent role
 * changes queue instead of deadlocking), and says whether one other than
 * `userId` would remain.
 */
export async function anotherActiveAdmin(manager: EntityManager, userId: string): Promise<boolean> {
  const admins = (await manager.query(
    `SELECT id FROM identity.users WHERE 'ADMIN' = ANY (roles) AND status = 'ACTIVE' ORDER BY id FOR UPDATE`,
  )) as { id: string }[];
  return admins.some((admin) => admin.id !== userId);
}

/** Reads a user under a row lock. */
export function lockUserRow(manager: EntityManager, userId: string): Promise<UserRow | null> {
  return isUuid(userId) ? manager.getRepository(UserEntity).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } }) : Promise.resolve(null);
}

/** Why staff act, as the audit log keeps it (the platform's rule for every staff reason). */
export { staffReason } from '@meridian/platform';
