import { Badge, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { errorMessage } from '../api/error-messages';
import { AnchorLink, ButtonLink } from '../layout/router-links';
import { BalanceSummary } from './balance-summary';
import { accountTypeLabel, formatAccountNumber, useAccounts, type AccountSummary } from './use-accounts';
import { LoadFailed } from '../layout/load-states';

function AccountCard({ account }: { account: AccountSummary }) {
  return (
    <Card withBorder padding="lg" component="article" aria-labelledby={`account-${account.id}`} data-testid="account-card">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Title order={2} size="h4" id={`account-${account.id}`}>
              <AnchorLink to="/accounts/$accountId" params={{ accountId: account.id }} inherit>
                {account.name}
              </AnchorLink>
            </Title>
            <Text size="sm" c="dimmed">
              {accountTypeLabel(account.type)} · {formatAccountNumber(account.number)}
            </Text>
          </div>
          {account.status !== 'ACTIVE' && <Badge color="gray">{account.status === 'FROZEN' ? 'Frozen' : 'Closed'}</Badge>}
        </Group>
        <BalanceSummary balance={account.balance} />
        <Group gap="xs">
          <ButtonLink to="/accounts/$accountId" params={{ accountId: account.id }} variant="light" size="xs">
            History
          </ButtonLink>
          {account.status === 'ACTIVE' && (
            <ButtonLink to="/transfer" search={{ from: account.id }} variant="default" size="xs">
              Move money
            </ButtonLink>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

/** The accounts overview: every open account with its available, posted and pending balances. */
export function AccountsScreen() {
  const accounts = useAccounts();
  const open = accounts.data?.me.accounts.filter((a) => a.status !== 'CLOSED') ?? [];
  const closed = accounts.data?.me.accounts.filter((a) => a.status === 'CLOSED') ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Your accounts</Title>
        <ButtonLink to="/accounts/open" variant="light">
          Open an account
        </ButtonLink>
      </Group>
      {accounts.isPending && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          <Skeleton height={180} />
          <Skeleton height={180} />
        </SimpleGrid>
      )}
      {accounts.error && <LoadFailed title="Your accounts could not be loaded" message={errorMessage(accounts.error)} onRetry={() => void accounts.refetch()} />}
      {accounts.data && open.length === 0 && <Text>You have no open accounts yet.</Text>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {open.map((account) => (
          <AccountCard key={account.id} account={account} />
        ))}
      </SimpleGrid>
      {closed.length > 0 && (
        <Stack gap="xs" component="section" aria-labelledby="closed-accounts">
          <Title order={2} size="h4" id="closed-accounts">
            Closed accounts
          </Title>
          {closed.map((account) => (
            <AnchorLink key={account.id} to="/accounts/$accountId" params={{ accountId: account.id }}>
              {account.name} · {formatAccountNumber(account.number)}
            </AnchorLink>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
