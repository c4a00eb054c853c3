import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { signedInRoute } from '../routes/signed-in-route';
import { requireRoles } from './staff-access';
import { CUSTOMER_LOOKUP_ROLES, KYC_REVIEW_ROLES, PAYMENT_REVIEW_ROLES } from './staff-roles';
import { StaffRouteError } from './staff-route-error';

/**
 * The staff screens' frame (no path of its own): the review session and its
 * reason, kept while moving between staff screens.
 */
export const staffAreaRoute = createRoute({
  getParentRoute: () => signedInRoute,
  id: 'staff-area',
  component: lazyRouteComponent(() => import('./staff-area'), 'StaffArea'),
});

/** KYC cases waiting for a compliance decision. */
export const kycQueueRoute = createRoute({
  getParentRoute: () => staffAreaRoute,
  path: '/staff/kyc',
  beforeLoad: requireRoles(KYC_REVIEW_ROLES),
  errorComponent: StaffRouteError,
  component: lazyRouteComponent(() => import('./kyc-queue-screen'), 'KycQueueScreen'),
});

/** One KYC case: its checks, documents, personal data (revealed on demand) and the decision. */
export const kycCaseRoute = createRoute({
  getParentRoute: () => staffAreaRoute,
  path: '/staff/kyc/$caseId',
  beforeLoad: requireRoles(KYC_REVIEW_ROLES),
  errorComponent: StaffRouteError,
  component: lazyRouteComponent(() => import('./kyc-case-screen'), 'KycCaseScreen'),
});

/** Payments the fraud rules held, to approve or reject. */
export const paymentReviewRoute = createRoute({
  getParentRoute: () => staffAreaRoute,
  path: '/staff/payments',
  beforeLoad: requireRoles(PAYMENT_REVIEW_ROLES),
  errorComponent: StaffRouteError,
  component: lazyRouteComponent(() => import('./payment-review-screen'), 'PaymentReviewScreen'),
});

/** Finding a customer by email address or id. */
export const customerLookupRoute = createRoute({
  getParentRoute: () => staffAreaRoute,
  path: '/staff/customers',
  beforeLoad: requireRoles(CUSTOMER_LOOKUP_ROLES),
  errorComponent: StaffRouteError,
  component: lazyRouteComponent(() => import('./customer-lookup-screen'), 'CustomerLookupScreen'),
});

/** What the bank holds about one customer. */
export const customerRoute = createRoute({
  getParentRoute: () => staffAreaRoute,
  path: '/staff/customers/$customerId',
  beforeLoad: requireRoles(CUSTOMER_LOOKUP_ROLES),
  errorComponent: StaffRouteError,
  component: lazyRouteComponent(() => import('./customer-screen'), 'CustomerScreen'),
});

/** The staff screens, for `routes/route-list.ts` (below the signed-in layout). */
export const staffRoutes = [
  staffAreaRoute.addChildren([kycQueueRoute, kycCaseRoute, paymentReviewRoute, customerLookupRoute, customerRoute]),
] as const;
