import { createRoute, redirect } from '@tanstack/react-router';
import { accountRoutes } from '../accounts/account-routes';
import { deviceRoutes } from '../devices/device-routes';
import { insightsRoutes } from '../insights/insights-routes';
import { kycRoutes } from '../kyc/kyc-routes';
import { paymentRoutes } from '../payments/payment-routes';
import { HOME_PATH } from '../session/safe-redirect';
import { publicRoutes } from '../session/session-routes';
import { securityRoutes } from '../security/security-routes';
import { staffRoutes } from '../staff/staff-routes';
import { transferRoutes } from '../transfers/transfer-routes';
import { rootRoute } from './root-route';
import { signedInRoute } from './signed-in-route';

/** `/` opens the accounts. */
const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: HOME_PATH });
  },
});

/**
 * Every screen of the app. A feature keeps its routes in its own folder
 * (`<feature>/<feature>-routes.ts`, each screen lazy-loaded) and adds its list
 * here: below `signedInRoute` when it needs a session (it then gets the
 * layout, the session check and the redirect back after sign-in), beside
 * `publicRoutes` when it does not. Navigation entries are in `layout/nav-items.ts`.
 */
export const routeTree = rootRoute.addChildren([
  indexRoute,
  ...publicRoutes,
  signedInRoute.addChildren([...accountRoutes, ...transferRoutes, ...deviceRoutes, ...paymentRoutes, ...insightsRoutes, ...staffRoutes, ...kycRoutes, ...securityRoutes]),
]);
