import { Alert, Card, Group, Progress, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { CurrencyCode, PaymentLimitsQuery } from '@meridian/client/web';
import { useState } from 'react';
import { useAccounts } from '../accounts/use-accounts';
import { errorMessage } from '../api/error-messages';
import { formatMoney } from '../money/format-money';
import { tierLabel } from './payment-labels';
import { addAmounts, percentOf } from './payment-money';
import { PaymentsPage } from './payments-page';
import { usePaymentLimits } from './use-payment-data';
import { Loading } from '../layout/load-states';

type Limits = PaymentLimitsQuery['me']['paymentLimits'];

/** One period's use: what is used, what is left and a bar, with its total as used plus left. */
function Period({ title, used, left, currency, testId }: { title: string; used: string; left: string; currency: string; testId: string }) {
  const total = addAmounts(currency, used, left);
  const percent = percentOf(used, total, currency);
  return (
    <Card withBorder data-testid={testId}>
      <Stack gap="xs">
        <Title order={2} size="h4">
          {title}
        </Title>
        <Text size="xl" fw={600} data-testid={`${testId}-used`}>
          {formatMoney(used, currency)} <Text span size="sm" fw={400} c="dimmed">used of {formatMoney(total, currency)}</Text>
        </Text>
        <Progress value={percent} aria-label={`${title}: ${percent}% used`} />
        <Text size="sm" data-testid={`${testId}-left`}>
          {formatMoney(left, currency)} left
        </Text>
      </Stack>
    </Card>
  );
}

function LimitsSummary({ limits }: { limits: Limits }) {
  const { currency } = limits;
  if (limits.tier === 'TIER_0') {
    return (
      <Alert color="blue" role="status" title="No payments to others yet">
        Verify your identity to pay other people. Until then you can move money between your own accounts.
      </Alert>
    );
  }
  return (
    <Stack>
      <Group gap="xl">
        <div>
          <Text size="sm" c="dimmed">
            Verification level
          </Text>
          <Text fw={600} data-testid="limits-tier">
            {tierLabel(limits.tier)}
          </Text>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            Most one payment may be
          </Text>
          <Text fw={600} data-testid="limits-per-payment">
            {formatMoney(limits.perPayment.amount, currency)}
          </Text>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            You can pay now up to
          </Text>
          <Text fw={600} data-testid="limits-next-payment">
            {formatMoney(limits.nextPaymentMax.amount, currency)}
          </Text>
        </div>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Period title="Today" used={limits.usedToday.amount} left={limits.remainingToday.amount} currency={currency} testId="limits-today" />
        <Period title="This month" used={limits.usedThisMonth.amount} left={limits.remainingThisMonth.amount} currency={currency} testId="limits-month" />
      </SimpleGrid>
    </Stack>
  );
}

/**
 * What the customer may still pay other people, by their verification tier:
 * per payment, today and this month, in one of their accounts' currencies.
 * Moving money between one's own accounts does not count.
 */
export function LimitsScreen() {
  const accounts = useAccounts();
  const currencies = [...new Set((accounts.data?.me.accounts ?? []).filter((a) => a.status === 'ACTIVE').map((a) => a.currency))];
  const [chosen, setChosen] = useState<CurrencyCode>();
  const currency = chosen ?? (currencies.includes('GBP') ? 'GBP' : currencies[0]) ?? 'GBP';
  const limits = usePaymentLimits(accounts.data ? currency : undefined);
  const error = accounts.error ?? limits.error;
  return (
    <PaymentsPage title="Payment limits" intro="What you can still pay other people. Moving money between your own accounts does not count.">
      {currencies.length > 1 && (
        <Select label="Currency" data={currencies} value={currency} onChange={(value) => value && setChosen(value as CurrencyCode)} allowDeselect={false} maw={200} />
      )}
      {(accounts.isPending || limits.isPending) && !error && <Loading label="Loading your limits" />}
      {error && (
        <Alert color="red" role="alert">
          {errorMessage(error)}
        </Alert>
      )}
      {limits.data && <LimitsSummary limits={limits.data.me.paymentLimits} />}
    </PaymentsPage>
  );
}
