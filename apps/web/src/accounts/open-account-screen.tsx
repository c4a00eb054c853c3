import { Paper, Stack, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { OpenAccountForm } from './open-account-form';

/** The page around {@link OpenAccountForm}; a new account opens on its own page. */
export function OpenAccountScreen() {
  const navigate = useNavigate();
  return (
    <Stack maw={520}>
      <Title order={1}>Open an account</Title>
      <Paper withBorder p="lg">
        <OpenAccountForm
          onOpened={(account) => {
            notifications.show({ color: 'green', title: 'Account opened', message: `${account.name} is ready.` });
            void navigate({ to: '/accounts/$accountId', params: { accountId: account.id } });
          }}
        />
      </Paper>
    </Stack>
  );
}
