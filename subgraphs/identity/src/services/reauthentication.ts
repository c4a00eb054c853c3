import { DomainError, ErrorCode, errors } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import { MAX_PASSWORD_LENGTH, verifyPassword } from '../domain/password';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import type { SignInThrottle } from './sign-in-throttle';

/**
 * A wrong current password. FORBIDDEN rather than UNAUTHENTICATED: the
 * session is still good, and apps read UNAUTHENTICATED as "sign in again".
 */
export function wrongPassword(): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, 'The current password is not right.', { reason: 'WRONG_PASSWORD', field: 'currentPassword' });
}

/**
 * Checks a signed-in user's current password before a change to their
 * credentials. Each check is counted per email address exactly as a sign-in
 * attempt is ({@link SignInThrottle}), so a stolen session cannot guess the
 * password here either; the right password clears the count, as a sign-in does.
 * A wrong password is audited (REAUTHENTICATION_FAILED, with `operation`).
 * Errors: UNAUTHENTICATED (no such active user), FORBIDDEN (`reason`
 * WRONG_PASSWORD), RATE_LIMITED (backoff or lock, password not checked).
 */
export async function reauthenticate(
  db: DataSource,
  throttle: SignInThrottle,
  request: { userId: string; password: string; operation: string },
  origin: RequestOrigin,
): Promise<UserRow> {
  const user = await db.getRepository(UserEntity).findOneBy({ id: request.userId });
  if (!user || user.status !== 'ACTIVE') throw errors.unauthenticated('This account may not do this now.');
  await throttle.claim(user.email, user.id, origin);
  const tooLong = [...request.password].length > MAX_PASSWORD_LENGTH;
  if (tooLong || !(await verifyPassword(user.passwordHash, request.password))) {
    await db.transaction((manager) => recordAuditEvent(manager, 'REAUTHENTICATION_FAILED', user.id, origin, { operation: request.operation }));
    throw wrongPassword();
  }
  await db.transaction((manager) => throttle.clear(manager, user.email));
  return user;
}
