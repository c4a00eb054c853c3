import { createRoute, redirect } from '@tanstack/react-router';
import { AppLayout } from '../layout/app-layout';
import { sessionQueryOptions } from '../session/session-query';
import { rootRoute } from './root-route';

/**
 * The layout every signed-in screen lives in. Before any of them loads, the
 * browser's session is checked (`GET /auth/session`, cached); signed out, the
 * person goes to sign-in with `?redirect=` back to where they were.
 */
export const signedInRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'signed-in',
  beforeLoad: async ({ context, location }) => {
    const session = await context.queryClient.ensureQueryData(sessionQueryOptions(context.api));
    if (!session) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
    return { session };
  },
  component: AppLayout,
});
