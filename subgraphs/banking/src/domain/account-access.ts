import { errors, type AccessTokenClaims } from '@meridian/platform';
import type { AccountRecord } from './account';

/** Scope an access token needs for anything in banking. */
export const ACCOUNTS_SCOPE = 'accounts';
/** Scope staff tokens carry next to their role. */
export const STAFF_SCOPE = 'staff';

/** How a viewer may see an account: as its owner, as support staff (audited), or not at all. */
export type AccountAccess = 'OWNER' | 'SUPPORT' | 'NONE';

/** Refuses a token without the `accounts` scope. Errors: FORBIDDEN. */
export function assertAccountsScope(viewer: AccessTokenClaims): void {
  if (!viewer.scopes.includes(ACCOUNTS_SCOPE)) throw errors.forbidden('This sign-in may not use accounts.');
}

/** True when the viewer is support staff with a staff token. */
export function isSupport(viewer: AccessTokenClaims): boolean {
  return viewer.roles.includes('SUPPORT') && viewer.scopes.includes(STAFF_SCOPE);
}

/**
 * Customers see their own accounts; support staff see any customer account;
 * nobody sees system accounts through the public graph.
 */
export function accessTo(viewer: AccessTokenClaims, account: AccountRecord): AccountAccess {
  if (account.kind !== 'CUSTOMER') return 'NONE';
  if (account.ownerId === viewer.userId) return 'OWNER';
  return isSupport(viewer) ? 'SUPPORT' : 'NONE';
}
