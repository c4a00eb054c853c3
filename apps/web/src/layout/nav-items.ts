import type { LinkProps } from '@tanstack/react-router';
import { CUSTOMER_LOOKUP_ROLES, KYC_REVIEW_ROLES, PAYMENT_REVIEW_ROLES } from '../staff/staff-roles';

/** One entry of the main navigation. */
export interface NavItem {
  label: string;
  /** A route of the app. */
  to: NonNullable<LinkProps['to']>;
  /** Shown only to users holding one of these roles (`CUSTOMER`; staff screens: `SUPPORT`, `COMPLIANCE`, `ADMIN`); default everyone. */
  roles?: readonly string[];
}

/** The banking screens: customers', not staff's (a staff member banks with another sign-in). */
const CUSTOMER = ['CUSTOMER'] as const;

/**
 * The main navigation, in order. A new screen adds its route to
 * `routes/route-list.ts` and, if it belongs in the navigation, an entry here.
 */
export const navItems: readonly NavItem[] = [
  { label: 'Accounts', to: '/accounts', roles: CUSTOMER },
  { label: 'Move money', to: '/transfer', roles: CUSTOMER },
  { label: 'Pay someone', to: '/payments/pay', roles: CUSTOMER },
  { label: 'Payments', to: '/payments', roles: CUSTOMER },
  { label: 'Open an account', to: '/accounts/open', roles: CUSTOMER },
  { label: 'Money insights', to: '/insights', roles: CUSTOMER },
  { label: 'Devices and sessions', to: '/devices' },
  { label: 'Verify your identity', to: '/verification', roles: CUSTOMER },
  { label: 'Security', to: '/security' },
  { label: 'API keys', to: '/security/api-keys', roles: CUSTOMER },
  { label: 'KYC reviews', to: '/staff/kyc', roles: KYC_REVIEW_ROLES },
  { label: 'Payment reviews', to: '/staff/payments', roles: PAYMENT_REVIEW_ROLES },
  { label: 'Customer lookup', to: '/staff/customers', roles: CUSTOMER_LOOKUP_ROLES },
];

/** The items a user with `roles` sees. */
export function visibleNavItems(items: readonly NavItem[], roles: readonly string[]): NavItem[] {
  return items.filter((item) => !item.roles || item.roles.some((role) => roles.includes(role)));
}

/** The item a path belongs to: the one with the longest `to` that is the path or a parent of it. */
export function activeNavItem(items: readonly NavItem[], pathname: string): NavItem | undefined {
  return items
    .filter((item) => pathname === item.to || pathname.startsWith(`${item.to}/`))
    .sort((a, b) => b.to.length - a.to.length)[0];
}

/** Where a user lands after signing in: the accounts for a customer, else the first screen their roles open. */
export function homeFor(roles: readonly string[]): NavItem['to'] {
  if (roles.includes('CUSTOMER')) return '/accounts';
  return visibleNavItems(navItems, roles).find((item) => item.roles)?.to ?? '/security';
}
