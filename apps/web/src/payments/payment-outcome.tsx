import { Alert, List, Stack, Text } from '@mantine/core';
import type { PaymentPartsFragment } from '@meridian/client/web';
import { AnchorLink } from '../layout/router-links';
import { formatMoney } from '../money/format-money';
import { humanizeCode, REVIEW_REASONS } from './payment-labels';

/** A payment as a mutation answers it. */
export type PaymentResult = Pick<PaymentPartsFragment, 'id' | 'kind' | 'status' | 'amount' | 'counterparty' | 'reviewReasons' | 'failureCode' | 'failureMessage'>;

function Receipt({ id }: { id: string }) {
  return (
    // In the alert's own colour, underlined: the theme's link blue is too faint on the alerts' tints.
    <AnchorLink to="/payments/$paymentId" params={{ paymentId: id }} c="inherit" underline="always" fw={600} size="sm">
      See the receipt
    </AnchorLink>
  );
}

/**
 * How a payment ended up right after it was sent: paid, held for a
 * compliance review (the money is reserved; it can still be cancelled), on
 * its way (the other bank has not answered yet), or failed with the reason.
 */
export function PaymentOutcome({ payment }: { payment: PaymentResult }) {
  const amount = formatMoney(payment.amount.amount, payment.amount.currency);
  const to = payment.counterparty.name;
  const topUp = payment.kind === 'CARD';
  switch (payment.status) {
    case 'SUCCEEDED':
      return (
        <Alert color="green" role="status" title={topUp ? 'Topped up' : 'Paid'}>
          <Stack gap={4}>
            <Text size="sm">{topUp ? `${amount} added from ${to}.` : `${amount} paid to ${to}.`}</Text>
            <Receipt id={payment.id} />
          </Stack>
        </Alert>
      );
    case 'REQUIRES_REVIEW':
      return (
        <Alert color="yellow" role="status" title="Held for review">
          <Stack gap={4}>
            <Text size="sm">
              We are checking this payment of {amount} to {to} before it goes ahead. The money is set aside in your account meanwhile; you can still cancel it from
              the receipt.
            </Text>
            {payment.reviewReasons.length > 0 && (
              <List size="sm">
                {payment.reviewReasons.map((reason) => (
                  <List.Item key={reason}>{REVIEW_REASONS[reason]}</List.Item>
                ))}
              </List>
            )}
            <Receipt id={payment.id} />
          </Stack>
        </Alert>
      );
    case 'PROCESSING':
      return (
        <Alert color="blue" role="status" title="On its way">
          <Stack gap={4}>
            <Text size="sm">
              {topUp ? `The card's bank has not confirmed the ${amount} yet.` : `${amount} to ${to} is on its way; the receiving bank has not confirmed it yet.`} The
              receipt shows when it has.
            </Text>
            <Receipt id={payment.id} />
          </Stack>
        </Alert>
      );
    case 'FAILED':
      return (
        <Alert color="red" role="alert" title="Not paid">
          <Stack gap={4}>
            <Text size="sm">
              {payment.failureMessage ?? `The payment failed (${humanizeCode(payment.failureCode ?? 'unknown reason')}).`}{' '}
              {topUp ? 'Nothing was added to your account.' : 'Nothing was taken from your account.'}
            </Text>
            <Receipt id={payment.id} />
          </Stack>
        </Alert>
      );
    default:
      return (
        <Alert color="blue" role="status" title="Payment recorded">
          <Stack gap={4}>
            <Text size="sm">
              {amount} to {to}.
            </Text>
            <Receipt id={payment.id} />
          </Stack>
        </Alert>
      );
  }
}
