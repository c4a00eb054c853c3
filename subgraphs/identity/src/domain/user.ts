import type { Role } from '@meridian/platform';

export type { Role } from '@meridian/platform';

/** Whether a user may sign in. */
export type UserStatus = 'ACTIVE' | 'LOCKED' | 'DISABLED';

/** A user as the domain sees it (never with the password hash). */
export interface UserRecord {
  id: string;
  email: string;
  phone: string | null;
  displayName: string;
  roles: Role[];
  status: UserStatus;
  createdAt: Date;
}

/** Roles that may read other users' profiles. */
export const STAFF_ROLES: readonly Role[] = ['SUPPORT', 'COMPLIANCE', 'ADMIN'];

/** Scopes granted to a token, derived from the user's roles. */
export function scopesFor(roles: readonly Role[]): string[] {
  const scopes = new Set(['profile', 'accounts', 'payments', 'kyc', 'insights']);
  if (roles.some((r) => STAFF_ROLES.includes(r))) scopes.add('staff');
  if (roles.includes('ADMIN')) scopes.add('admin');
  return [...scopes];
}
