import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { signedInRoute } from '../routes/signed-in-route';

/** Moving money between one's own accounts; `?from=<accountId>` preselects the source. */
export const transferRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/transfer',
  validateSearch: (search: Record<string, unknown>): { from?: string } => (typeof search.from === 'string' && search.from ? { from: search.from } : {}),
  component: lazyRouteComponent(() => import('./transfer-screen'), 'TransferScreen'),
});

export const transferRoutes = [transferRoute] as const;
