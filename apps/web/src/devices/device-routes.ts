import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { signedInRoute } from '../routes/signed-in-route';

export const devicesRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/devices',
  component: lazyRouteComponent(() => import('./devices-screen'), 'DevicesScreen'),
});

export const deviceRoutes = [devicesRoute] as const;
