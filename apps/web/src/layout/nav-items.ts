import type { LinkProps } from '@tanstack/react-router';

/** One entry of the main navigation. */
export interface NavItem {
  label: string;
  /** A route of the app. */
  to: NonNullable<LinkProps['to']>;
  /** Shown only to users holding one of these roles (staff screens: `SUPPORT`, `COMPLIANCE`, `ADMIN`); default everyone. */
  roles?: readonly string[];
}

/**
 * The main navigation, in order. A new screen adds its route to
 * `routes/route-list.ts` and, if it belongs in the navigation, an entry here.
 */
export const navItems: readonly NavItem[] = [
  { label: 'Accounts', to: '/accounts' },
  { label: 'Move money', to: '/transfer' },
  { label: 'Open an account', to: '/accounts/open' },
  { label: 'Devices and sessions', to: '/devices' },
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
