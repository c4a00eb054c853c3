import { Badge, Box, Group, Stack, Text } from '@mantine/core';
import type { AccountTransactionsQuery } from '@meridian/client/web';
import { formatMoney } from '../money/format-money';
import { CREDIT_COLOR } from '../theme';
import { humanizeCode } from './history-filter';

/** One transaction as the history query returns it. */
export type HistoryTransaction = NonNullable<AccountTransactionsQuery['account']>['transactions']['edges'][number]['node'];

const STATUS_LABELS: Record<HistoryTransaction['status'], string | undefined> = {
  POSTED: undefined,
  PENDING: 'Pending',
  VOIDED: 'Cancelled',
  EXPIRED: 'Expired',
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An account's transactions, newest first: when, what, how much (signed) and the balance after. */
export function TransactionList({ transactions }: { transactions: HistoryTransaction[] }) {
  return (
    <Box component="ul" aria-label="Transactions" p={0} m={0} style={{ listStyle: 'none' }}>
      {transactions.map((t) => {
        const status = STATUS_LABELS[t.status];
        const signed = t.direction === 'DEBIT' ? formatMoney(`-${t.amount.amount}`, t.amount.currency) : `+${formatMoney(t.amount.amount, t.amount.currency)}`;
        return (
          <Box component="li" key={t.id} py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid="transaction">
            <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
              <Stack gap={2} style={{ minWidth: 0 }}>
                <Text fw={500} truncate="end">
                  {t.description || humanizeCode(t.code)}
                </Text>
                <Group gap="xs">
                  <Text size="sm" c="dimmed">
                    <time dateTime={t.createdAt}>{dateTime.format(new Date(t.createdAt))}</time> · {humanizeCode(t.code)}
                  </Text>
                  {status && (
                    <Badge size="sm" color="gray" variant="outline">
                      {status}
                    </Badge>
                  )}
                </Group>
              </Stack>
              <Stack gap={2} align="flex-end" style={{ flexShrink: 0 }}>
                <Text fw={600} c={t.direction === 'CREDIT' ? CREDIT_COLOR : undefined} data-testid="transaction-amount">
                  {signed}
                </Text>
                {t.balanceAfter && (
                  <Text size="xs" c="dimmed">
                    Balance {formatMoney(t.balanceAfter.amount, t.balanceAfter.currency)}
                  </Text>
                )}
              </Stack>
            </Group>
          </Box>
        );
      })}
    </Box>
  );
}
