import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { signedInRoute } from '../routes/signed-in-route';

/** Where the verification stands: tier, limits, the case, what is missing; start and submit. */
export const verificationRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/verification',
  component: lazyRouteComponent(() => import('./verification-screen'), 'VerificationScreen'),
});

export const verificationProfileRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/verification/profile',
  component: lazyRouteComponent(() => import('./profile-screen'), 'ProfileScreen'),
});

export const verificationPhoneRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/verification/phone',
  component: lazyRouteComponent(() => import('./phone-screen'), 'PhoneScreen'),
});

export const verificationDocumentsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/verification/documents',
  component: lazyRouteComponent(() => import('./documents-screen'), 'DocumentsScreen'),
});

export const kycRoutes = [verificationRoute, verificationProfileRoute, verificationPhoneRoute, verificationDocumentsRoute] as const;
