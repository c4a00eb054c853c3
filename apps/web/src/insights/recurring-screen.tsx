import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { RecurringDocument, type RecurringFrequency, type RecurringQuery } from '@meridian/client/web';
import { errorMessage } from '../api/error-messages';
import { useMeridianQuery } from '../api/use-meridian';
import { formatMoney } from '../money/format-money';
import { CREDIT_COLOR } from '../theme';
import { InsightsHeader } from './insights-header';
import { formatDay } from './insights-format';
import { categoryName } from './use-categories';
import { LoadFailed, Loading } from '../layout/load-states';

type Stream = NonNullable<RecurringQuery['me']['insights']>['recurring'][number];

const FREQUENCIES: Record<RecurringFrequency, string> = {
  WEEKLY: 'Every week',
  BIWEEKLY: 'Every two weeks',
  SEMI_MONTHLY: 'Twice a month',
  MONTHLY: 'Every month',
  ANNUALLY: 'Every year',
};

/** One stream: who, how often, what comes next and when, and a price rise if there was one. */
function StreamCard({ stream }: { stream: Stream }) {
  const inflow = stream.direction === 'INFLOW';
  const next = formatMoney(stream.nextAmount.amount, stream.nextAmount.currency);
  return (
    <Card withBorder component="li" data-testid="recurring-stream">
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Text fw={600}>{stream.merchant.name}</Text>
            <Badge size="sm" variant="light" color={inflow ? 'green' : 'gray'}>
              {inflow ? 'Money in' : 'Money out'}
            </Badge>
            {stream.priceIncrease && (
              <Badge size="sm" variant="light" color="orange">
                Price went up
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {FREQUENCIES[stream.frequency]}
            {stream.category ? ` · ${categoryName(stream.category)}` : ''} · seen {stream.occurrences} times, last on {formatDay(stream.lastDate)}
          </Text>
          {stream.priceIncrease && (
            <Text size="sm">
              From {formatMoney(stream.priceIncrease.from.amount, stream.priceIncrease.from.currency)} to{' '}
              {formatMoney(stream.priceIncrease.to.amount, stream.priceIncrease.to.currency)} since {formatDay(stream.priceIncrease.since)}.
            </Text>
          )}
        </Stack>
        <Stack gap={2} align="flex-end" style={{ flexShrink: 0 }}>
          <Text fw={600} c={inflow ? CREDIT_COLOR : undefined} data-testid="recurring-next-amount">
            {inflow ? `+${next}` : next}
          </Text>
          <Text size="xs" c="dimmed">
            {stream.isActive ? `Next ${formatDay(stream.nextDate)}` : `Was due ${formatDay(stream.nextDate)}`}
          </Text>
        </Stack>
      </Group>
    </Card>
  );
}

function StreamList({ title, id, streams }: { title: string; id: string; streams: Stream[] }) {
  return (
    <Stack gap="xs" component="section" aria-labelledby={id}>
      <Title order={2} size="h3" id={id}>
        {title}
      </Title>
      <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-labelledby={id}>
        {streams.map((s) => (
          <StreamCard key={`${s.merchant.key ?? s.merchant.name}:${s.direction}:${s.frequency}:${s.averageAmount.currency}`} stream={s} />
        ))}
      </Stack>
    </Stack>
  );
}

/** Income and payments that come again and again (`recurring`), found in the last 13 months: still coming first, then those that stopped. */
export function RecurringScreen() {
  const recurring = useMeridianQuery(RecurringDocument, {});
  const streams = recurring.data?.me.insights?.recurring;
  const active = streams?.filter((s) => s.isActive) ?? [];
  const stopped = streams?.filter((s) => !s.isActive) ?? [];
  return (
    <Stack>
      <InsightsHeader title="Recurring payments" description="Your salary, rent, bills and subscriptions, found in your last 13 months of transactions." />
      {recurring.error && <LoadFailed title="Your recurring payments could not be loaded" message={errorMessage(recurring.error)} onRetry={() => void recurring.refetch()} />}
      {recurring.isPending && <Loading label="Loading your recurring payments" />}
      {streams && streams.length === 0 && <Text>Nothing recurring found yet. Payments show up here once they have come a few times.</Text>}
      {active.length > 0 && <StreamList title="Still coming" id="recurring-active" streams={active} />}
      {stopped.length > 0 && <StreamList title="Stopped" id="recurring-stopped" streams={stopped} />}
    </Stack>
  );
}
