import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { signedInRoute } from '../routes/signed-in-route';

/** The email address, the password, and the ways to the two screens below. */
export const securityRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/security',
  component: lazyRouteComponent(() => import('./security-screen'), 'SecurityScreen'),
});

/** The authenticator app and its recovery codes. */
export const twoStepRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/security/two-step',
  component: lazyRouteComponent(() => import('./two-step-screen'), 'TwoStepScreen'),
});

export const apiKeysRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/security/api-keys',
  component: lazyRouteComponent(() => import('./api-keys-screen'), 'ApiKeysScreen'),
});

export const securityRoutes = [securityRoute, twoStepRoute, apiKeysRoute] as const;
