import type { Role } from '@meridian/platform';

/**
 * Every scope an access token can carry, with what it lets the bearer do.
 * The subgraph schemas ask for them with `@requiresScopes`; this is the one
 * place roles turn into them.
 */
export const SCOPES = {
  'profile:read': 'read your own profile (`me`)',
  'profile:write': 'change your own profile (name, phone)',
  'credentials:write': 'change your email, password and second factors; manage your sessions and API keys',
  'accounts:read': 'read your accounts, balances and transactions',
  'accounts:write': 'open and close your accounts, move money between them',
  'payments:read': 'read your payments, limits, schedules, payees, billers and cards',
  'payments:write': 'make, confirm, cancel, schedule and refund payments; manage payees, billers and cards',
  'kyc:read': 'read your identity verification',
  'kyc:write': 'give your personal data and documents, verify your phone, submit a verification',
  'insights:read': 'read your money insights and transaction categories',
  'insights:write': 'change your budgets, goals, rules and categories',
  'customers:read': "look a customer up with a reason (audited) and read what the bank holds about them",
  'customers:unlock': 'end a sign-in lock; lock and unlock a user',
  'kyc:review': 'see the KYC review queue and cases (audited), reveal personal data, decide cases',
  'payments:review': 'see payments held for review (audited) and approve or reject them',
  'staff:manage': 'add staff members and change anyone’s roles',
} as const;

/** A scope an access token can carry. */
export type Scope = keyof typeof SCOPES;

/** What a customer may do with their own data: never anyone else's, and nothing that changes credentials. */
export const CUSTOMER_SCOPES: readonly Scope[] = [
  'profile:read',
  'profile:write',
  'accounts:read',
  'accounts:write',
  'payments:read',
  'payments:write',
  'kyc:read',
  'kyc:write',
  'insights:read',
  'insights:write',
];

/** Everyone may read and change their own profile; staff hold nothing else of a customer's. */
const OWN_PROFILE: readonly Scope[] = ['profile:read', 'profile:write'];

/** What each role grants. Staff roles hold no customer scope, so a staff token can never move money. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  CUSTOMER: CUSTOMER_SCOPES,
  SUPPORT: [...OWN_PROFILE, 'customers:read', 'customers:unlock'],
  COMPLIANCE: [...OWN_PROFILE, 'customers:read', 'kyc:review', 'payments:review'],
  ADMIN: [...OWN_PROFILE, 'customers:read', 'customers:unlock', 'kyc:review', 'payments:review', 'staff:manage'],
};

/**
 * Scopes held only by a person who signed in interactively (a password,
 * then any second factor), never by a delegated credential such as an API key.
 */
export const INTERACTIVE_ONLY_SCOPES: readonly Scope[] = ['credentials:write'];

/**
 * Scopes a delegated credential (an API key) may ever be given: a subset of
 * the customer's own, without `credentials:write`. Read-only unless asked otherwise.
 */
export const DELEGABLE_SCOPES: readonly Scope[] = CUSTOMER_SCOPES;

/** What an API key gets when its creator names no scopes: every delegable scope that only reads. */
export const READ_ONLY_DELEGABLE_SCOPES: readonly Scope[] = DELEGABLE_SCOPES.filter((scope) => scope.endsWith(':read'));

/** Roles that may read other users' profiles. */
export const STAFF_ROLES: readonly Role[] = ['SUPPORT', 'COMPLIANCE', 'ADMIN'];

/** The scopes the roles grant together, in the order of {@link SCOPES}. */
export function roleScopes(roles: readonly Role[]): Scope[] {
  const granted = new Set(roles.flatMap((role) => ROLE_SCOPES[role] ?? []));
  return (Object.keys(SCOPES) as Scope[]).filter((scope) => granted.has(scope));
}

/** The scopes of an access token from an interactive sign-in (`login`, `refreshSession`): the roles' and `credentials:write`. */
export function scopesFor(roles: readonly Role[]): Scope[] {
  const granted = new Set<Scope>([...roleScopes(roles), ...INTERACTIVE_ONLY_SCOPES]);
  return (Object.keys(SCOPES) as Scope[]).filter((scope) => granted.has(scope));
}

/** Whether the roles mix customer and staff: a staff identity is never a customer's too. */
export function mixesCustomerAndStaff(roles: readonly Role[]): boolean {
  return roles.includes('CUSTOMER') && roles.some((role) => STAFF_ROLES.includes(role));
}
