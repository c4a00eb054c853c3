import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { homeFor } from '../layout/nav-items';
import { ensureMe } from '../session/session-query';
import { signedInRoute } from '../routes/signed-in-route';
import { readHistorySearch } from './history-filter';

/** The overview of every account. */
export const accountsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/accounts',
  // The app's home after sign-in: staff, who hold no accounts, go to their own first screen.
  beforeLoad: async ({ context }) => {
    const { me } = await ensureMe(context);
    const home = homeFor(me.roles);
    if (home !== '/accounts') throw redirect({ to: home });
  },
  component: lazyRouteComponent(() => import('./accounts-screen'), 'AccountsScreen'),
});

export const openAccountRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/accounts/open',
  component: lazyRouteComponent(() => import('./open-account-screen'), 'OpenAccountScreen'),
});

/** One account with its history; `?from=&to=&q=` keep the filter in the address. */
export const accountRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: '/accounts/$accountId',
  validateSearch: readHistorySearch,
  component: lazyRouteComponent(() => import('./account-screen'), 'AccountScreen'),
});

export const accountRoutes = [accountsRoute, openAccountRoute, accountRoute] as const;
