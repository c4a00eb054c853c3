import { Container, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useRouter } from '@tanstack/react-router';
import { useApi } from '../api/api-context';
import type { CurrentSession } from '../api/auth-api';
import { AnchorLink } from '../layout/router-links';
import { safeRedirect } from './safe-redirect';
import { SESSION_QUERY_KEY, sessionQueryOptions } from './session-query';
import { SignInForm } from './sign-in-form';

const route = getRouteApi('/sign-in');

/** The sign-in page; after signing in, back to `?redirect=` (a path of this app) or the accounts. */
export function SignInScreen() {
  const { redirect } = route.useSearch();
  const router = useRouter();
  const queryClient = useQueryClient();
  const api = useApi();
  return (
    <Container size={420} py="xl">
      <Stack>
        <Title order={1}>Sign in to Meridian</Title>
        {redirect && <Text>Sign in to carry on where you were.</Text>}
        <Paper withBorder p="lg">
          <SignInForm
            onSignedIn={({ user, session }) => {
              // Whatever an earlier session left in the cache is not this user's to see.
              queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
              const current: CurrentSession = { user: { id: user.id }, session };
              queryClient.setQueryData(sessionQueryOptions(api).queryKey, current);
              router.history.push(safeRedirect(redirect));
            }}
          />
        </Paper>
        <AnchorLink to="/forgot-password">Forgot your password?</AnchorLink>
      </Stack>
    </Container>
  );
}
