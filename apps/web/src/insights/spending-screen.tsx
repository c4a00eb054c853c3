import { Alert, Card, ColorSwatch, Group, Select, SimpleGrid, Skeleton, Stack, Table, Text, TextInput } from '@mantine/core';
import { SpendingByCategoryDocument, type CurrencyCode, type SpendingByCategoryQuery } from '@meridian/client/web';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { lazy, Suspense, useMemo } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { formatMoney } from '../money/format-money';
import { cssColor, sliceColor } from './chart-colors';
import { InsightsHeader } from './insights-header';
import { formatDay, formatShare } from './insights-format';
import { CURRENCIES, periodProblem, periodRange, PERIODS, type PeriodPreset, type SpendingSearch } from './insights-period';
import { TransactionsExport } from './transactions-export';
import { useHeldCurrencies } from './use-held-currencies';
import { LoadFailed, Loading } from '../layout/load-states';

const SpendingChart = lazy(() => import('./spending-chart'));

const route = getRouteApi('/signed-in/insights/spending');

type Breakdown = NonNullable<SpendingByCategoryQuery['me']['insights']>['spendingByCategory'];

/** The period's spending by primary category: what the chart draws, as a table anyone (and any screen reader) can read. */
export function SpendingTable({ breakdown }: { breakdown: Breakdown }) {
  return (
    <Table captionSide="top" verticalSpacing="xs" data-testid="spending-table">
      <Table.Caption>
        Spending by category, {formatDay(breakdown.from)} to {formatDay(breakdown.to)}
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Category</Table.Th>
          <Table.Th scope="col" ta="right">
            Spent
          </Table.Th>
          <Table.Th scope="col" ta="right">
            Share
          </Table.Th>
          <Table.Th scope="col" ta="right" visibleFrom="sm">
            Transactions
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {breakdown.categories.map((row, index) => (
          <Table.Tr key={row.category.id}>
            <Table.Th scope="row" fw={500}>
              <Group gap="xs" wrap="nowrap">
                <ColorSwatch color={cssColor(sliceColor(index))} size={12} aria-hidden withShadow={false} />
                {row.category.label}
              </Group>
            </Table.Th>
            <Table.Td ta="right">{formatMoney(row.amount.amount, row.amount.currency)}</Table.Td>
            <Table.Td ta="right">{formatShare(row.shareBasisPoints)}</Table.Td>
            <Table.Td ta="right" visibleFrom="sm">
              {row.transactionCount}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
      <Table.Tfoot>
        <Table.Tr>
          <Table.Th scope="row">Total</Table.Th>
          <Table.Td ta="right" fw={700} data-testid="spending-total">
            {formatMoney(breakdown.total.amount, breakdown.total.currency)}
          </Table.Td>
          <Table.Td />
          <Table.Td visibleFrom="sm" />
        </Table.Tr>
      </Table.Tfoot>
    </Table>
  );
}

/**
 * Where the money went (`spendingByCategory`): a period (a preset or two
 * dates, kept in the address), a currency, a donut chart loaded on demand
 * with the same figures in a table beside it, and the period's transactions
 * as CSV.
 */
export function SpendingScreen() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: '/insights/spending' });
  const { held, preferred } = useHeldCurrencies();
  const currency: CurrencyCode = search.currency ?? preferred;
  // Today is read once per visit, so the preset's days stay put while the screen is open.
  const today = useMemo(() => new Date(), []);
  const range = periodRange(search, today);
  const problem = periodProblem(search);
  const spending = useMeridianQuery(SpendingByCategoryDocument, { period: range ?? { from: '', to: '' }, currency }, { enabled: !!range && !problem });
  const breakdown = spending.data?.me.insights?.spendingByCategory;
  const setSearch = (next: SpendingSearch) => void navigate({ search: next, replace: true });

  const choosePeriod = (value: string | null) => {
    const period = (value ?? 'this-month') as PeriodPreset;
    // Choosing the dates starts from the period shown so far.
    setSearch(period === 'custom' ? { ...search, period, from: range?.from, to: range?.to } : { period, currency: search.currency });
  };

  return (
    <Stack>
      <InsightsHeader title="Spending" description="Where your money went, by category. Transfers between your own accounts are not spending." />
      <Card withBorder>
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select label="Period" data={PERIODS.map((p) => ({ ...p }))} value={search.period ?? 'this-month'} onChange={choosePeriod} allowDeselect={false} />
            <Select
              label="Currency"
              description="Each currency is counted on its own."
              data={(held.length > 0 ? held : CURRENCIES).map((c) => ({ value: c, label: c }))}
              value={currency}
              onChange={(value) => setSearch({ ...search, currency: (value ?? preferred) as CurrencyCode })}
              allowDeselect={false}
            />
          </SimpleGrid>
          {search.period === 'custom' && (
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput type="date" label="From" value={search.from ?? ''} max={search.to} onChange={(event) => setSearch({ ...search, from: event.currentTarget.value || undefined })} />
              <TextInput
                type="date"
                label="To"
                value={search.to ?? ''}
                min={search.from}
                onChange={(event) => setSearch({ ...search, to: event.currentTarget.value || undefined })}
                error={problem}
              />
            </SimpleGrid>
          )}
          <TransactionsExport range={problem ? undefined : range} />
        </Stack>
      </Card>

      {spending.error && <LoadFailed title="Your spending could not be loaded" message={errorMessage(spending.error)} onRetry={() => void spending.refetch()} />}
      {spending.isLoading && <Loading label="Loading your spending" />}
      {spending.data && !breakdown && (
        <Alert color="blue" role="status">
          Insights are not available for this sign-in.
        </Alert>
      )}
      {breakdown && breakdown.categories.length === 0 && <Text>Nothing spent in {currency} in this period.</Text>}
      {breakdown && breakdown.categories.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
          <Suspense fallback={<Skeleton circle height={220} mx="auto" />}>
            <SpendingChart
              slices={breakdown.categories.map((c, index) => ({ name: c.category.label, shareBasisPoints: c.shareBasisPoints, color: sliceColor(index) }))}
              total={formatMoney(breakdown.total.amount, breakdown.total.currency)}
            />
          </Suspense>
          <SpendingTable breakdown={breakdown} />
        </SimpleGrid>
      )}
    </Stack>
  );
}
