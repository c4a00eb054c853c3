import './receipt-print.css';
import { Alert, Badge, Box, Button, Card, Center, Group, List, Loader, Stack, Text, Timeline, Title } from '@mantine/core';
import { CancelPaymentDocument, PaymentDocument, type PaymentQuery } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useRef, type ReactNode } from 'react';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation, useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { formatMoney, toMinorUnits } from '../money/format-money';
import { useIdempotentAttempt } from '../transfers/use-idempotent-attempt';
import { ConfirmButton } from './confirm-button';
import { actorLabel, dateTime, humanizeCode, PAYMENT_KIND, PAYMENT_STATUS, REVIEW_REASONS, signedAmount } from './payment-labels';
import { paymentRefusals } from './payment-refusals';
import { PaymentsNav } from './payments-page';
import { refreshAfterPayment } from './use-payment-data';

const route = getRouteApi('/signed-in/payments/$paymentId');

type Payment = NonNullable<PaymentQuery['payment']>;

/** While the money is still moving, the receipt asks again this often. */
const POLL_MS = 3000;

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <Group component="div" justify="space-between" align="flex-start" gap="xs" wrap="nowrap" py={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
      <Text component="dt" size="sm" c="dimmed">
        {term}
      </Text>
      <Text component="dd" m={0} ta="right" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Group>
  );
}

/** What the status means for the person, under the badge. */
function StatusNote({ payment }: { payment: Payment }) {
  if (payment.status === 'REQUIRES_REVIEW') {
    return (
      <Alert color="yellow" role="status" title="Held for a compliance review">
        <Stack gap={4}>
          <Text size="sm">The money is set aside in your account while we check this payment. You can cancel it until the review decides.</Text>
          {payment.reviewReasons.length > 0 && (
            <List size="sm">
              {payment.reviewReasons.map((reason) => (
                <List.Item key={reason}>{REVIEW_REASONS[reason]}</List.Item>
              ))}
            </List>
          )}
        </Stack>
      </Alert>
    );
  }
  if (payment.status === 'FAILED') {
    return (
      <Alert color="red" role="status" title="Not paid">
        {payment.failureMessage ?? `The payment failed (${humanizeCode(payment.failureCode ?? 'unknown reason')}).`}
      </Alert>
    );
  }
  if (payment.status === 'PROCESSING') {
    return (
      <Alert color="blue" role="status" title="On its way">
        The other bank has not confirmed it yet. This page updates when it has.
      </Alert>
    );
  }
  return null;
}

/** Cancelling a payment that has not moved yet (awaiting confirmation, or held for review), asked twice, under one idempotency key per attempt. */
function CancelPayment({ payment }: { payment: Payment }) {
  const queryClient = useQueryClient();
  const attempt = useIdempotentAttempt();
  const key = useRef<string>(undefined);
  const cancel = useMeridianMutation(CancelPaymentDocument, {
    requestOptions: () => ({ idempotencyKey: key.current }),
    onSettled: async (_data, error) => {
      attempt.settled(error ?? undefined);
      await refreshAfterPayment(queryClient);
    },
  });
  return (
    <Stack gap="xs">
      <ConfirmButton
        label="Cancel payment"
        question="Cancel this payment?"
        confirmLabel="Yes, cancel it"
        keepLabel="Keep it"
        busy={cancel.isPending}
        onConfirm={() => {
          key.current = attempt.keyFor({ cancel: payment.id });
          cancel.mutate({ id: payment.id });
        }}
      />
      {cancel.error && (
        <Alert color="red" role="alert" title="Not cancelled">
          {errorMessage(cancel.error, {
            ...paymentRefusals(payment.amount.currency, 'Yes, cancel it'),
            CONFLICT: 'It can no longer be cancelled: the money has already moved, or the review has decided.',
            NOT_FOUND: 'This payment could not be found.',
          })}
        </Alert>
      )}
    </Stack>
  );
}

/**
 * A payment's receipt: who, how much, from which account, its status (held
 * for review, failed, on its way — polled until it settles), the ledger
 * transfer and every step of its history. "Print" prints just the receipt;
 * a payment not yet moved can be cancelled here.
 */
export function ReceiptScreen() {
  const { paymentId } = route.useParams();
  const query = useMeridianQuery(
    PaymentDocument,
    { id: paymentId },
    { staleTime: 0, refetchInterval: (q) => (q.state.data?.payment?.status === 'PROCESSING' ? POLL_MS : false) },
  );
  const payment = query.data?.payment;

  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the payment" />
      </Center>
    );
  }
  if (!payment) {
    return (
      <Stack>
        <Title order={1}>Payment not found</Title>
        {query.error && !(query.error.code === 'NOT_FOUND') ? (
          <Alert color="red" role="alert">
            {errorMessage(query.error)}
          </Alert>
        ) : (
          <Text>None of your payments has this address.</Text>
        )}
        <AnchorLink to="/payments">Back to your payments</AnchorLink>
      </Stack>
    );
  }

  const status = PAYMENT_STATUS[payment.status];
  const currency = payment.amount.currency;
  const who = payment.kind === 'CARD' ? `Top-up from ${payment.counterparty.name}` : payment.received ? `Payment from ${payment.counterparty.name}` : `Payment to ${payment.counterparty.name}`;
  const cancellable = !payment.received && (payment.status === 'REQUIRES_CONFIRMATION' || payment.status === 'REQUIRES_REVIEW');

  return (
    <Stack maw={640}>
      <PaymentsNav />
      <Group justify="space-between" align="flex-start">
        <div>
          <Text size="sm" c="dimmed">
            Receipt
          </Text>
          <Title order={1}>{who}</Title>
        </div>
        <Badge color={status.color} variant="light" size="lg" data-testid="payment-status">
          {status.label}
        </Badge>
      </Group>
      <StatusNote payment={payment} />
      <Card withBorder>
        <Box component="dl" m={0}>
          <Row term="Amount">
            <Text span fw={700} size="lg" data-testid="receipt-amount">
              {signedAmount(payment)}
            </Text>
          </Row>
          {toMinorUnits(payment.refundedAmount.amount, currency) > 0n && <Row term="Paid back">{formatMoney(payment.refundedAmount.amount, currency)}</Row>}
          <Row term={payment.received ? 'From' : payment.kind === 'CARD' ? 'Card' : 'To'}>{payment.counterparty.name}</Row>
          {payment.account && <Row term={payment.kind === 'CARD' ? 'Into' : 'From account'}>{payment.account.name}</Row>}
          <Row term="Kind">{PAYMENT_KIND[payment.kind]}</Row>
          {payment.description && <Row term="Note">{payment.description}</Row>}
          <Row term="Made">{dateTime.format(new Date(payment.createdAt))}</Row>
          <Row term="Last change">{dateTime.format(new Date(payment.updatedAt))}</Row>
          <Row term="Reference">
            <Text span ff="monospace" size="sm">
              {payment.id}
            </Text>
          </Row>
          {payment.transfer && (
            <Row term="Ledger transfer">
              <Text span ff="monospace" size="sm">
                {payment.transfer.id}
              </Text>{' '}
              ({humanizeCode(payment.transfer.status)})
            </Row>
          )}
        </Box>
      </Card>
      <Title order={2} size="h3">
        History
      </Title>
      <Timeline active={payment.history.length - 1} bulletSize={14} lineWidth={2} aria-label="Status history">
        {payment.history.map((entry, index) => (
          <Timeline.Item key={`${entry.at}-${index}`} title={PAYMENT_STATUS[entry.to].label} data-testid="history-entry">
            <Text size="sm">
              {actorLabel(entry.actor)}: {entry.reason}
            </Text>
            <Text size="xs" c="dimmed">
              <time dateTime={entry.at}>{dateTime.format(new Date(entry.at))}</time>
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
      <Group data-print="hide">
        <Button variant="default" onClick={() => window.print()}>
          Print
        </Button>
        {cancellable && <CancelPayment payment={payment} />}
      </Group>
    </Stack>
  );
}
