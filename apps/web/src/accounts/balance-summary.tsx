import { Group, Stack, Text } from '@mantine/core';
import { formatMoney } from '../money/format-money';
import type { AccountSummary } from './use-accounts';

/** Available (what can be spent now) first and large; posted and pending beside it. */
export function BalanceSummary({ balance }: { balance: AccountSummary['balance'] }) {
  const { posted, pending, available } = balance;
  return (
    <Stack gap={4}>
      <div>
        <Text size="sm" c="dimmed">
          Available
        </Text>
        <Text size="xl" fw={700} data-testid="balance-available">
          {formatMoney(available.amount, available.currency)}
        </Text>
      </div>
      <Group gap="lg">
        <div>
          <Text size="xs" c="dimmed">
            Posted
          </Text>
          <Text size="sm" data-testid="balance-posted">
            {formatMoney(posted.amount, posted.currency)}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Pending
          </Text>
          <Text size="sm" data-testid="balance-pending">
            {formatMoney(pending.amount, pending.currency)}
          </Text>
        </div>
      </Group>
    </Stack>
  );
}
