import { Badge, Box, Group, Stack, Text } from '@mantine/core';
import { useIntersection } from '@mantine/hooks';
import { PaymentsDocument, type PaymentPartsFragment } from '@meridian/client/web';
import { useEffect } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianInfiniteQuery } from '../api/use-meridian';
import { AnchorLink, ButtonLink } from '../layout/router-links';
import { CREDIT_COLOR } from '../theme';
import { dateTime, PAYMENT_KIND, PAYMENT_STATUS, signedAmount } from './payment-labels';
import { PaymentsPage } from './payments-page';
import { LoadFailed, Loading } from '../layout/load-states';

/** Payments per page of the list. */
const PAGE_SIZE = 20;

function PaymentRow({ payment }: { payment: PaymentPartsFragment }) {
  const status = PAYMENT_STATUS[payment.status];
  const incoming = payment.received || payment.kind === 'CARD';
  const who = payment.kind === 'CARD' ? `Top-up from ${payment.counterparty.name}` : payment.received ? `From ${payment.counterparty.name}` : `To ${payment.counterparty.name}`;
  return (
    <Box component="li" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid="payment">
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <AnchorLink to="/payments/$paymentId" params={{ paymentId: payment.id }} fw={500} style={{ overflowWrap: 'anywhere' }}>
            {who}
          </AnchorLink>
          <Text size="sm" c="dimmed">
            <time dateTime={payment.createdAt}>{dateTime.format(new Date(payment.createdAt))}</time> · {PAYMENT_KIND[payment.kind]}
            {payment.description ? ` · ${payment.description}` : ''}
          </Text>
        </Stack>
        <Stack gap={4} align="flex-end" style={{ flexShrink: 0 }}>
          <Text fw={600} c={incoming ? CREDIT_COLOR : undefined} data-testid="payment-amount">
            {signedAmount(payment)}
          </Text>
          <Badge size="sm" color={status.color} variant="light">
            {status.label}
          </Badge>
        </Stack>
      </Group>
    </Box>
  );
}

/** The payments made and received, newest first, loading further as the list scrolls; each opens its receipt. */
export function PaymentsScreen() {
  const payments = useMeridianInfiniteQuery(PaymentsDocument, { first: PAGE_SIZE }, (page) => (page.payments.pageInfo.hasNextPage ? page.payments.pageInfo.endCursor : undefined));
  const { ref: endRef, entry } = useIntersection({ rootMargin: '200px' });
  const pages = payments.data?.pages ?? [];
  const loaded = pages.flatMap((page) => page.payments.edges.map((edge) => edge.node));
  const { hasNextPage, isFetchingNextPage, error, fetchNextPage } = payments;
  useEffect(() => {
    if (entry?.isIntersecting && hasNextPage && !isFetchingNextPage && !error) void fetchNextPage();
  }, [entry?.isIntersecting, hasNextPage, isFetchingNextPage, error, fetchNextPage, pages.length]);

  return (
    <PaymentsPage title="Payments" intro="What you paid and received. Open one for its receipt.">
      <Group>
        <ButtonLink to="/payments/pay">Pay someone</ButtonLink>
      </Group>
      {payments.isPending && <Loading label="Loading your payments" />}
      {payments.data && loaded.length === 0 && <Text c="dimmed">No payments yet.</Text>}
      {loaded.length > 0 && (
        <Box component="ul" aria-label="Payments" p={0} m={0} style={{ listStyle: 'none' }}>
          {loaded.map((payment) => (
            <PaymentRow key={payment.id} payment={payment} />
          ))}
        </Box>
      )}
      {error && <LoadFailed title="Your payments could not be loaded" message={errorMessage(error)} onRetry={() => void (pages.length ? fetchNextPage() : payments.refetch())} />}
      <div ref={endRef} />
      {isFetchingNextPage && <Loading label="Loading more payments" small />}
    </PaymentsPage>
  );
}
