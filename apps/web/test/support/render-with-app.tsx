import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiProvider } from '../../src/api/api-context';
import { createMeridianApi } from '../../src/api/meridian-api';
import { StepUpProvider } from '../../src/session/step-up-context';
import { cssVariablesResolver, theme } from '../../src/theme';
import type { FakeBff } from './fake-bff';

/** Renders a piece of the dashboard as the app mounts it (Mantine, the API over the fake BFF, the query cache, the step-up dialog). */
export function renderWithApp(ui: ReactElement, bff: FakeBff) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const api = createMeridianApi({ fetch: bff.fetch });
  return render(
    // env="test": no transitions or portals, so dialogs and dropdowns render in place at once.
    <MantineProvider env="test" theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <ApiProvider api={api}>
        <QueryClientProvider client={queryClient}>
          <StepUpProvider>{ui}</StepUpProvider>
        </QueryClientProvider>
      </ApiProvider>
    </MantineProvider>,
  );
}
