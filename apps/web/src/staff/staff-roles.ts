import type { Role } from '@meridian/client/web';

// Which staff roles open which screens: the roles whose scopes the screens' operations need.

/** Who reviews KYC cases (scope `kyc:review`). */
export const KYC_REVIEW_ROLES: readonly Role[] = ['COMPLIANCE', 'ADMIN'];
/** Who reviews payments held by the fraud rules (scope `payments:review`). */
export const PAYMENT_REVIEW_ROLES: readonly Role[] = ['COMPLIANCE', 'ADMIN'];
/** Who looks customers up (scope `customers:read`). */
export const CUSTOMER_LOOKUP_ROLES: readonly Role[] = ['SUPPORT', 'COMPLIANCE', 'ADMIN'];
