import { MantineProvider } from '@mantine/core';
import { MeDocument } from '@meridian/client/web';
import { QueryClientProvider } from '@tanstack/react-query';
import { createMemoryHistory, RouterProvider } from '@tanstack/react-router';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiProvider } from '../../src/api/api-context';
import { createMeridianApi } from '../../src/api/meridian-api';
import { createMeridianApp } from '../../src/app';
import { SessionActionsProvider } from '../../src/session/session-actions';
import { StepUpProvider } from '../../src/session/step-up-context';
import { cssVariablesResolver, theme } from '../../src/theme';
import { data, type FakeBff } from './fake-bff';
import { installRouterShims } from './router-shims';

/** How long the first screen may take: the session check, `me` and a lazily loaded route (slow on a busy machine). */
export const FIRST_RENDER = { timeout: 10_000 };

/** The fake BFF answers as for a signed-in user with `roles` (the session probe and the Me query). */
export function signedInAs(bff: FakeBff, roles: string[], me: { email?: string; emailVerified?: boolean } = {}) {
  bff.onRoute('GET /auth/session', {
    body: { user: { id: 'user-1' }, session: { id: 'session-1', createdAt: '2026-12-07T09:00:00.000Z', expiresAt: '2026-12-07T21:00:00.000Z', idleTimeoutSeconds: 1800 } },
  });
  bff.on(
    MeDocument,
    data({
      me: {
        id: 'user-1',
        email: me.email ?? 'dana@example.com',
        emailVerified: me.emailVerified ?? true,
        phone: null,
        displayName: 'Dana Dashboard',
        roles,
        status: 'ACTIVE',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    }),
  );
}

/** The whole app over the fake BFF, routed from `path` (Mantine in its test mode: no transitions, no portals). */
export function openAppAt(path: string, bff: FakeBff) {
  installRouterShims();
  const api = createMeridianApi({ fetch: bff.fetch });
  const app = createMeridianApp(api, createMemoryHistory({ initialEntries: [path] }));
  render(
    <MantineProvider env="test" theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <ApiProvider api={api}>
        <QueryClientProvider client={app.queryClient}>
          <SessionActionsProvider actions={app.actions}>
            <StepUpProvider>
              <RouterProvider router={app.router} />
            </StepUpProvider>
          </SessionActionsProvider>
        </QueryClientProvider>
      </ApiProvider>
    </MantineProvider>,
  );
  return { app, events: userEvent.setup() };
}
