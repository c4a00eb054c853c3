import { MantineProvider } from '@mantine/core';
import { Notifications, notifications } from '@mantine/notifications';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { RouterProvider, type RouterHistory } from '@tanstack/react-router';
import { ApiProvider } from './api/api-context';
import type { MeridianApi } from './api/meridian-api';
import { createAppQueryClient } from './api/query-client';
import { createAppRouter, type AppRouter } from './router';
import { isPublicPath } from './session/safe-redirect';
import { SessionActionsProvider, type SessionActions } from './session/session-actions';
import { SESSION_QUERY_KEY } from './session/session-query';
import { StepUpProvider } from './session/step-up-context';
import { cssVariablesResolver, theme } from './theme';

/** The app's long-lived parts: one query cache, one router, and what ends a session. */
export interface MeridianApp {
  api: MeridianApi;
  queryClient: QueryClient;
  router: AppRouter;
  actions: SessionActions;
}

/**
 * Builds the app around an API. Any UNAUTHENTICATED answer while signed in
 * means the session is over (idle or absolute timeout, signed out elsewhere):
 * the cache is dropped and the person goes to sign-in with `?redirect=` back
 * to where they were.
 */
export function createMeridianApp(api: MeridianApi, history?: RouterHistory): MeridianApp {
  const forget = (queryClient: QueryClient) => {
    queryClient.setQueryData(SESSION_QUERY_KEY, null);
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
  };
  const actions: SessionActions = {
    async signOut() {
      await api.auth.signOut();
      actions.signedOut();
    },
    signedOut() {
      forget(queryClient);
      notifications.show({ id: 'signed-out', color: 'blue', title: 'Signed out', message: 'You have signed out of Meridian.' });
      void router.navigate({ to: '/sign-in', search: {} });
    },
    sessionExpired() {
      // Only a session we believed in can expire; a refusal on the sign-in page is that page's to show.
      if (!queryClient.getQueryData(SESSION_QUERY_KEY)) return;
      forget(queryClient);
      const { pathname, href } = router.state.location;
      notifications.show({ id: 'session-expired', color: 'yellow', title: 'Session ended', message: 'Your session has ended. Sign in again to carry on.' });
      void router.navigate({ to: '/sign-in', search: isPublicPath(pathname) ? {} : { redirect: href } });
    },
  };
  const queryClient = createAppQueryClient(() => actions.sessionExpired());
  const router = createAppRouter({ queryClient, api }, history);
  return { api, queryClient, router, actions };
}

/** The dashboard: Mantine (its `<style>` elements with the page's CSP nonce), the API, the query cache, the step-up dialog and the router. */
export function App({ app, styleNonce }: { app: MeridianApp; styleNonce?: string }) {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} getStyleNonce={styleNonce ? () => styleNonce : undefined}>
      <Notifications position="top-right" />
      <ApiProvider api={app.api}>
        <QueryClientProvider client={app.queryClient}>
          <SessionActionsProvider actions={app.actions}>
            <StepUpProvider>
              <RouterProvider router={app.router} />
            </StepUpProvider>
          </SessionActionsProvider>
        </QueryClientProvider>
      </ApiProvider>
    </MantineProvider>
  );
}
