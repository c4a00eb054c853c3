import { Alert, Badge, Card, Center, Group, Loader, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useIntersection } from '@mantine/hooks';
import { AccountTransactionsDocument } from '@meridian/client/web';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianInfiniteQuery } from '../api/use-meridian';
import { AnchorLink, ButtonLink } from '../layout/router-links';
import { BalanceSummary } from './balance-summary';
import { CloseAccountButton } from './close-account-button';
import { historyRange, rangeProblem, type HistorySearch } from './history-filter';
import { TransactionList } from './transaction-list';
import { accountTypeLabel, formatAccountNumber, useAccounts } from './use-accounts';
import { LoadFailed, Loading, ShowMore } from '../layout/load-states';

const route = getRouteApi('/signed-in/accounts/$accountId');

/** Transactions per page of the history. */
const PAGE_SIZE = 25;
/** The longest search banking takes. */
const MAX_SEARCH_LENGTH = 100;

/**
 * One account: its balances, closing it, and its history newest first, read
 * page by page as the list scrolls (the connection's cursor), filtered by a
 * range of days (the query's `from`/`to`) and by text (its `search`: the
 * description or kind, asked for once typing pauses).
 */
export function AccountScreen() {
  const { accountId } = route.useParams();
  const search = route.useSearch();
  const navigate = useNavigate({ from: '/accounts/$accountId' });
  const accounts = useAccounts();
  const account = accounts.data?.me.accounts.find((a) => a.id === accountId);
  const [query, setQuery] = useState(search.q ?? '');
  const problem = rangeProblem(search);
  const [text] = useDebouncedValue(search.q?.trim() ?? '', 300);
  const history = useMeridianInfiniteQuery(
    AccountTransactionsDocument,
    { accountId, first: PAGE_SIZE, ...historyRange(search), ...(text ? { search: text } : {}) },
    (page) => (page.account?.transactions.pageInfo.hasNextPage ? page.account.transactions.pageInfo.endCursor : undefined),
    { enabled: !problem },
  );
  const { ref: endRef, entry } = useIntersection({ rootMargin: '200px' });
  const pages = history.data?.pages ?? [];
  const shown = pages.flatMap((page) => page.account?.transactions.edges.map((edge) => edge.node) ?? []);

  // Infinite scroll: while the end of the list is in view, the next page loads.
  const { hasNextPage, isFetchingNextPage, error: historyError, fetchNextPage } = history;
  useEffect(() => {
    if (entry?.isIntersecting && hasNextPage && !isFetchingNextPage && !historyError) void fetchNextPage();
  }, [entry?.isIntersecting, hasNextPage, isFetchingNextPage, historyError, fetchNextPage, pages.length]);

  const setSearch = (next: HistorySearch) => void navigate({ search: next, replace: true });

  if (accounts.error) {
    return (
      <Alert color="red" role="alert" title="This account could not be loaded">
        {errorMessage(accounts.error)}
      </Alert>
    );
  }
  if (accounts.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the account" />
      </Center>
    );
  }
  if (!account) {
    return (
      <Stack>
        <Title order={1}>Account not found</Title>
        <Text>None of your accounts has this address.</Text>
        <AnchorLink to="/accounts">Back to your accounts</AnchorLink>
      </Stack>
    );
  }

  return (
    <Stack>
      <AnchorLink to="/accounts" size="sm">
        ← All accounts
      </AnchorLink>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1}>{account.name}</Title>
          <Text c="dimmed">
            {accountTypeLabel(account.type)} · {formatAccountNumber(account.number)} · {account.currency}
          </Text>
        </div>
        {account.status !== 'ACTIVE' && <Badge color="gray">{account.status === 'FROZEN' ? 'Frozen' : 'Closed'}</Badge>}
      </Group>
      <Card withBorder>
        <Group justify="space-between" align="flex-end">
          <BalanceSummary balance={account.balance} />
          {account.status === 'ACTIVE' && (
            <Group gap="xs">
              <ButtonLink to="/transfer" search={{ from: account.id }}>
                Move money
              </ButtonLink>
              <CloseAccountButton account={account} />
            </Group>
          )}
        </Group>
      </Card>

      <Title order={2} size="h3">
        History
      </Title>
      <form
        role="search"
        aria-label="Filter the history"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch({ ...search, q: query.trim() || undefined });
        }}
      >
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            type="date"
            label="From"
            value={search.from ?? ''}
            max={search.to}
            onChange={(event) => setSearch({ ...search, from: event.currentTarget.value || undefined })}
          />
          <TextInput
            type="date"
            label="To"
            value={search.to ?? ''}
            min={search.from}
            onChange={(event) => setSearch({ ...search, to: event.currentTarget.value || undefined })}
            error={problem}
          />
          <TextInput
            type="search"
            label="Search"
            description="Description or kind, such as card payment"
            maxLength={MAX_SEARCH_LENGTH}
            value={query}
            onChange={(event) => {
              setQuery(event.currentTarget.value);
              setSearch({ ...search, q: event.currentTarget.value.trim() || undefined });
            }}
          />
        </SimpleGrid>
      </form>

      {history.error && <LoadFailed title="The history could not be loaded" message={errorMessage(history.error)} onRetry={() => void history.refetch()} />}
      {history.isPending && !problem && <Loading label="Loading transactions" />}
      {history.data && shown.length === 0 && <Text>{text ? 'No transactions match your search.' : 'No transactions in this period.'}</Text>}
      <TransactionList transactions={shown} />
      <div ref={endRef} />
      {history.hasNextPage && <ShowMore pages={history} label="Load older transactions" />}
      <Text size="sm" c="dimmed" aria-live="polite">
        {history.data ? `Showing ${shown.length} transaction${shown.length === 1 ? '' : 's'}${history.hasNextPage ? '; older ones load as you scroll' : text ? ' (all that match)' : ' (the whole period)'}.` : ''}
      </Text>
    </Stack>
  );
}
