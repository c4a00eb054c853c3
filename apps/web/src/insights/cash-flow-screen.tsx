import { Alert, Card, Select, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { CashFlowDocument, type CashFlowQuery, type CurrencyCode } from '@meridian/client/web';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { formatMoney, toMinorUnits } from '../money/format-money';
import { CREDIT_COLOR } from '../theme';
import { MONTH_SPANS, type CashFlowSearch } from './cash-flow-search';
import { InsightsHeader } from './insights-header';
import { formatDay, formatMonth, isNegative } from './insights-format';
import { CURRENCIES } from './insights-period';
import { useHeldCurrencies } from './use-held-currencies';
import { LoadFailed, Loading } from '../layout/load-states';

const CashFlowChart = lazy(() => import('./cash-flow-chart'));

const route = getRouteApi('/signed-in/insights/cash-flow');

type CashFlow = NonNullable<CashFlowQuery['me']['insights']>['cashFlow'];

/** A signed amount with its sign always written, credits in the credit colour. */
function Signed({ amount, currency }: { amount: string; currency: CurrencyCode }) {
  const negative = isNegative({ amount, currency });
  const zero = toMinorUnits(amount, currency) === 0n;
  return (
    <Text c={negative || zero ? undefined : CREDIT_COLOR} fw={600} span style={{ whiteSpace: 'nowrap' }}>
      {`${negative || zero ? '' : '+'}${formatMoney(amount, currency)}`}
    </Text>
  );
}

/** The months as a table: the chart's figures for everyone. */
function MonthsTable({ cashFlow }: { cashFlow: CashFlow }) {
  return (
    <Table captionSide="top" verticalSpacing="xs" horizontalSpacing="xs" fz={{ base: 'sm', sm: 'md' }} data-testid="cash-flow-table">
      <Table.Caption>Money in and out per month, in {cashFlow.currency}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Month</Table.Th>
          <Table.Th scope="col" ta="right">
            In
          </Table.Th>
          <Table.Th scope="col" ta="right">
            Out
          </Table.Th>
          <Table.Th scope="col" ta="right" visibleFrom="xs">
            Net
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {cashFlow.months.map((m) => (
          <Table.Tr key={m.month}>
            <Table.Th scope="row" fw={500}>
              {formatMonth(m.month)}
            </Table.Th>
            <Table.Td ta="right">{formatMoney(m.income.amount, m.income.currency)}</Table.Td>
            <Table.Td ta="right">{formatMoney(m.spending.amount, m.spending.currency)}</Table.Td>
            <Table.Td ta="right" visibleFrom="xs">
              <Signed amount={m.net.amount} currency={m.net.currency} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The next 30 days: the balance to expect and what is expected to come in and go out. */
function Forecast({ forecast, currency }: { forecast: CashFlow['forecast']; currency: CurrencyCode }) {
  const low = isNegative(forecast.lowest.balance);
  return (
    <Stack gap="sm" component="section" aria-labelledby="forecast-heading">
      <Title order={2} size="h3" id="forecast-heading">
        The next 30 days
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Today, in {currency}
          </Text>
          <Text size="xl" fw={700} data-testid="forecast-start">
            {formatMoney(forecast.startingBalance.amount, forecast.startingBalance.currency)}
          </Text>
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Lowest expected, on {formatDay(forecast.lowest.date)}
          </Text>
          <Text size="xl" fw={700} c={low ? 'red.9' : undefined} data-testid="forecast-lowest">
            {formatMoney(forecast.lowest.balance.amount, forecast.lowest.balance.currency)}
          </Text>
        </Card>
      </SimpleGrid>
      {low && (
        <Alert color="red" role="status" title="Your balance may run low">
          Payments expected in the next 30 days add up to more than you hold. Move money in before {formatDay(forecast.lowest.date)}.
        </Alert>
      )}
      {forecast.expected.length === 0 ? (
        <Text>Nothing regular is expected in the next 30 days.</Text>
      ) : (
        <Table captionSide="top" verticalSpacing="xs" horizontalSpacing="xs" fz={{ base: 'sm', sm: 'md' }}>
          <Table.Caption>Expected from your recurring income and payments</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Day</Table.Th>
              <Table.Th scope="col">What</Table.Th>
              <Table.Th scope="col" ta="right">
                Amount
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {forecast.expected.map((item) => (
              <Table.Tr key={`${item.date}:${item.name}`}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDay(item.date)}</Table.Td>
                <Table.Td>{item.name}</Table.Td>
                <Table.Td ta="right">
                  <Signed amount={item.amount.amount} currency={item.amount.currency} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/** Money in and out month by month (`cashFlow`), as bars loaded on demand and a table, and the 30-day forecast. */
export function CashFlowScreen() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: '/insights/cash-flow' });
  const { held, preferred } = useHeldCurrencies();
  const currency: CurrencyCode = search.currency ?? preferred;
  const months = search.months ?? 6;
  const query = useMeridianQuery(CashFlowDocument, { months, currency });
  const cashFlow = query.data?.me.insights?.cashFlow;
  const setSearch = (next: CashFlowSearch) => void navigate({ search: next, replace: true });

  return (
    <Stack>
      <InsightsHeader title="Cash flow" description="Money in and out each month, not counting transfers between your own accounts." />
      <SimpleGrid cols={{ base: 1, sm: 2 }} maw={640}>
        <Select
          label="Months"
          data={MONTH_SPANS.map((n) => ({ value: String(n), label: `Last ${n} months` }))}
          value={String(months)}
          onChange={(value) => setSearch({ ...search, months: Number(value) as CashFlowSearch['months'] })}
          allowDeselect={false}
        />
        <Select
          label="Currency"
          data={(held.length > 0 ? held : CURRENCIES).map((c) => ({ value: c, label: c }))}
          value={currency}
          onChange={(value) => setSearch({ ...search, currency: (value ?? preferred) as CurrencyCode })}
          allowDeselect={false}
        />
      </SimpleGrid>
      {query.error && <LoadFailed title="Your cash flow could not be loaded" message={errorMessage(query.error)} onRetry={() => void query.refetch()} />}
      {query.isPending && <Loading label="Loading your cash flow" />}
      {query.data && !cashFlow && (
        <Alert color="blue" role="status">
          Insights are not available for this sign-in.
        </Alert>
      )}
      {cashFlow && (
        <>
          <Card withBorder>
            <Suspense fallback={<Skeleton height={260} />}>
              <CashFlowChart months={cashFlow.months} currency={cashFlow.currency} />
            </Suspense>
          </Card>
          <MonthsTable cashFlow={cashFlow} />
          <Forecast forecast={cashFlow.forecast} currency={cashFlow.currency} />
        </>
      )}
    </Stack>
  );
}
