import { hasScope, type AccessTokenClaims } from '@meridian/platform';
import type { AccountRecord } from './account';

/** The scope of staff who looked a customer up (identity's audited `customer(id, reason)`); see docs/architecture.md. */
export const STAFF_READ_SCOPE = 'customers:read';

/**
 * How a viewer may see an account: as its owner, as staff reading a
 * customer (audited), or not at all. Which scopes reach banking at all
 * (`accounts:read`, `accounts:write`, `customers:read`) is declared on the
 * schema and enforced before the resolvers run.
 */
export type AccountAccess = 'OWNER' | 'STAFF' | 'NONE';

/** True when the viewer holds the staff read scope. */
export function isStaffReader(viewer: AccessTokenClaims): boolean {
  return hasScope(viewer, STAFF_READ_SCOPE);
}

/**
 * Customers see their own accounts; staff with `customers:read` see any
 * customer account; nobody sees system accounts through the public graph.
 */
export function accessTo(viewer: AccessTokenClaims, account: AccountRecord): AccountAccess {
  if (account.kind !== 'CUSTOMER') return 'NONE';
  if (account.ownerId === viewer.userId) return 'OWNER';
  return isStaffReader(viewer) ? 'STAFF' : 'NONE';
}
