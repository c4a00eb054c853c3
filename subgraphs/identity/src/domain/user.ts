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
  /** When the user proved they receive mail at `email`; null until then. */
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

// Roles become scopes in one place: domain/permissions.ts.
export { scopesFor, STAFF_ROLES } from './permissions';
