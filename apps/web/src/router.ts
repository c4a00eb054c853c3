import { createRouter, type RouterHistory } from '@tanstack/react-router';
import type { RouterContext } from './routes/root-route';
import { routeTree } from './routes/route-list';

/** The app's router over {@link routeTree}; `history` defaults to the browser's. */
export function createAppRouter(context: RouterContext, history?: RouterHistory) {
  return createRouter({
    routeTree,
    context,
    history,
    defaultPreload: 'intent',
    // Preloaded data is TanStack Query's to keep fresh.
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;

declare module '@tanstack/react-router' {
  interface Register {
    router: AppRouter;
  }
}
