import { Alert, Badge, Box, Button, Card, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { PaymentReviewQueueDocument, type PaymentDecision, type PaymentKind, type PaymentReviewReason } from '@meridian/client/web';
import { useState } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianInfiniteQuery } from '../api/use-meridian';
import { formatMoney } from '../money/format-money';
import { PaymentDecisionForm, type DecidedPayment, type HeldPayment } from './payment-decision-form';
import { ReasonBar, ReasonNeeded, STAFF_READ_MESSAGES, useReviewReason } from './review-reason';
import { formatDateTime, humanize, PAYMENT_STATUS_LABELS } from './staff-format';
import { LoadFailed, Loading, ShowMore } from '../layout/load-states';

/** Payments per page of the queue. */
const PAGE_SIZE = 20;

const KIND_LABELS: Record<PaymentKind, string> = { P2P: 'To another customer', PAYOUT: 'To a saved payee', BILL: 'A bill', CARD: 'A card top-up' };

const HOLD_LABELS: Record<PaymentReviewReason, string> = {
  NEW_PAYEE_LARGE_FIRST_PAYMENT: 'Large first payment to someone new',
  NEW_PAYEE_VELOCITY: 'Several new payees in a day',
  UNUSUAL_AMOUNT: 'Far above the usual amount',
  VELOCITY: 'Many payments in an hour',
};

function HeldPaymentCard({ payment, onDecide }: { payment: HeldPayment; onDecide: (decision: PaymentDecision) => void }) {
  const amount = formatMoney(payment.amount.amount, payment.amount.currency);
  const headingId = `held-${payment.id}`;
  return (
    <Card withBorder component="li" aria-labelledby={headingId} data-testid="held-payment">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" gap="xs">
          <div>
            <Title order={2} size="h4" id={headingId}>
              {amount} to {payment.counterparty.name}
            </Title>
            <Text size="sm" c="dimmed">
              {KIND_LABELS[payment.kind]} · held since {formatDateTime(payment.createdAt)}
              {payment.description ? ` · “${payment.description}”` : ''}
            </Text>
          </div>
          <Group gap="xs">
            <Button size="xs" onClick={() => onDecide('APPROVE')} aria-label={`Approve ${amount} to ${payment.counterparty.name}`}>
              Approve
            </Button>
            <Button size="xs" color="red" variant="light" onClick={() => onDecide('REJECT')} aria-label={`Reject ${amount} to ${payment.counterparty.name}`}>
              Reject
            </Button>
          </Group>
        </Group>
        <Group gap="xs">
          {payment.reviewReasons.map((reason) => (
            <Badge key={reason} size="sm" color="orange" variant="light">
              {HOLD_LABELS[reason]}
            </Badge>
          ))}
        </Group>
        <Box component="ol" p={0} m={0} style={{ listStyle: 'none' }} aria-label={`History of the payment to ${payment.counterparty.name}`}>
          {payment.history.map((entry, i) => (
            <Text component="li" key={`${entry.at}-${i}`} size="xs" c="dimmed">
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time> · {PAYMENT_STATUS_LABELS[entry.to]} by {humanize(entry.actor)}
              {entry.reason ? `: ${entry.reason}` : ''}
            </Text>
          ))}
        </Box>
      </Stack>
    </Card>
  );
}

/**
 * Payments the fraud rules held, longest waiting first, a page at a time;
 * each approved or rejected with a reason. Every page read is audited with the
 * review session's reason.
 */
export function PaymentReviewScreen() {
  const { reason, ask } = useReviewReason();
  const [deciding, setDeciding] = useState<{ payment: HeldPayment; decision: PaymentDecision }>();
  const [lastDecided, setLastDecided] = useState<string>();
  const queue = useMeridianInfiniteQuery(
    PaymentReviewQueueDocument,
    { first: PAGE_SIZE, reason: reason ?? '' },
    (page) => (page.paymentReviewQueue.pageInfo.hasNextPage ? page.paymentReviewQueue.pageInfo.endCursor : undefined),
    { enabled: reason !== undefined },
  );
  const payments = queue.data?.pages.flatMap((page) => page.paymentReviewQueue.edges.map((edge) => edge.node)) ?? [];

  const onDecided = (decided: DecidedPayment) => {
    const amount = formatMoney(decided.amount.amount, decided.amount.currency);
    const message = `${amount} to ${decided.counterparty.name}: ${deciding?.decision === 'REJECT' ? 'rejected' : 'approved'}, now ${PAYMENT_STATUS_LABELS[decided.status].toLowerCase()}.`;
    setLastDecided(message);
    notifications.show({ color: 'green', title: 'Decision recorded', message });
    setDeciding(undefined);
  };

  return (
    <Stack maw={820}>
      <Title order={1}>Payment reviews</Title>
      <Text>Payments the fraud rules held, longest waiting first. The money stays reserved until you approve or reject.</Text>
      {reason === undefined ? <ReasonNeeded onGive={ask} /> : <ReasonBar reason={reason} onChange={ask} />}
      {lastDecided && (
        <Alert color="green" role="status" title="Decision recorded">
          {lastDecided}
        </Alert>
      )}
      {queue.error && <LoadFailed title="The queue could not be loaded" message={errorMessage(queue.error, STAFF_READ_MESSAGES)} onRetry={() => void queue.refetch()} />}
      {queue.isLoading && <Loading label="Loading the queue" />}
      {queue.data && payments.length === 0 && <Text>No payment is held for review.</Text>}
      {payments.length > 0 && (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Payments held for review">
          {payments.map((payment) => (
            <HeldPaymentCard key={payment.id} payment={payment} onDecide={(decision) => setDeciding({ payment, decision })} />
          ))}
        </Stack>
      )}
      {queue.hasNextPage && <ShowMore pages={queue} label="Show more payments" />}
      <Modal
        opened={deciding !== undefined}
        onClose={() => setDeciding(undefined)}
        title={deciding ? `${deciding.decision === 'APPROVE' ? 'Approve' : 'Reject'} ${formatMoney(deciding.payment.amount.amount, deciding.payment.amount.currency)} to ${deciding.payment.counterparty.name}?` : ''}
        centered
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {deciding && (
          <PaymentDecisionForm
            key={`${deciding.payment.id}-${deciding.decision}`}
            payment={deciding.payment}
            decision={deciding.decision}
            onDecided={onDecided}
            onCancel={() => setDeciding(undefined)}
          />
        )}
      </Modal>
    </Stack>
  );
}
