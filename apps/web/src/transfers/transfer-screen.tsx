import { Alert, Paper, Stack, Text, Title } from '@mantine/core';
import { getRouteApi } from '@tanstack/react-router';
import { errorMessage } from '../api/error-messages';
import { useAccounts } from '../accounts/use-accounts';
import { AnchorLink } from '../layout/router-links';
import { TransferForm } from './transfer-form';
import { Loading } from '../layout/load-states';

const route = getRouteApi('/signed-in/transfer');

/** Moving money between one's own accounts. */
export function TransferScreen() {
  const { from } = route.useSearch();
  const accounts = useAccounts();
  const active = accounts.data?.me.accounts.filter((a) => a.status === 'ACTIVE') ?? [];
  return (
    <Stack maw={560}>
      <Title order={1}>Move money</Title>
      <Text>Between your own accounts in the same currency, at once.</Text>
      {accounts.isPending && <Loading label="Loading your accounts" />}
      {accounts.error && (
        <Alert color="red" role="alert">
          {errorMessage(accounts.error)}
        </Alert>
      )}
      {accounts.data && active.length < 2 && (
        <Alert color="blue" role="status">
          You need two open accounts to move money between them. <AnchorLink to="/accounts/open">Open an account</AnchorLink>
        </Alert>
      )}
      {accounts.data && active.length >= 2 && (
        <Paper withBorder p="lg">
          <TransferForm accounts={accounts.data.me.accounts} defaultFromId={from} />
        </Paper>
      )}
    </Stack>
  );
}
