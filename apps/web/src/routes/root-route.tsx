import { Container, Stack, Text, Title } from '@mantine/core';
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, Outlet } from '@tanstack/react-router';
import type { MeridianApi } from '../api/meridian-api';
import { AnchorLink } from '../layout/router-links';

/** What every route's `beforeLoad` and loader can read. */
export interface RouterContext {
  queryClient: QueryClient;
  api: MeridianApi;
}

function NotFound() {
  return (
    <Container size="sm" py="xl">
      <Stack>
        <Title order={1}>Page not found</Title>
        <Text>There is nothing at this address.</Text>
        <AnchorLink to="/accounts">Go to your accounts</AnchorLink>
      </Stack>
    </Container>
  );
}

/** The root of the route tree: the signed-out pages and the signed-in layout hang below it. */
export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
});
