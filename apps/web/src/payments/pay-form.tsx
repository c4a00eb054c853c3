import { Alert, Box, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { CreatePaymentDocument, type CreatePaymentInput } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AccountSummary } from '../accounts/use-accounts';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { formatMoney } from '../money/format-money';
import { useIdempotentAttempt } from '../transfers/use-idempotent-attempt';
import { EMPTY_PAYMENT_DETAILS, refusedPaymentField, paymentDetailErrors, paymentInputOf, type PaymentDetailsValues, type PaymentTarget } from './payment-details';
import { PaymentFields } from './payment-fields';
import { PaymentOutcome, type PaymentResult } from './payment-outcome';
import { paymentRefusals } from './payment-refusals';
import { refreshAfterPayment, type SavedBiller, type SavedPayee } from './use-payment-data';

/** Props of {@link PayForm}. */
export interface PayFormProps {
  /** The user's accounts; only active ones are offered. */
  accounts: AccountSummary[];
  payees: SavedPayee[];
  billers: SavedBiller[];
  /** Values to start from, e.g. a payee chosen on the payees screen. */
  defaults?: Partial<PaymentDetailsValues>;
  onPaid?: (payment: PaymentResult) => void;
}

const TARGETS: PaymentTarget[] = ['P2P', 'PAYOUT', 'BILL'];

/** One line of the summary to check. */
function Line({ term, children }: { term: string; children: ReactNode }) {
  return (
    <Group component="div" justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text component="dt" c="dimmed" size="sm">
        {term}
      </Text>
      <Text component="dd" m={0} ta="right" fw={500} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Group>
  );
}

/**
 * Pays someone: another Meridian customer by email or phone (`P2P`), a saved
 * payee (`PAYOUT`) or a saved biller (`BILL`). The details are checked, then
 * shown to confirm, then sent as one `createPayment` with `confirm: true`,
 * under an `Idempotency-Key` that stays the same when the same payment is
 * sent again after an answer that left its outcome unknown. A payment of the
 * step-up threshold or more asks for a second factor first (the step-up
 * dialog); every refusal has its own message, and the outcome (paid, held for
 * review, on its way, failed) is shown with a link to the receipt.
 */
export function PayForm({ accounts, payees, billers, defaults, onPaid }: PayFormProps) {
  const queryClient = useQueryClient();
  const attempt = useIdempotentAttempt();
  const key = useRef<string>(undefined);
  const active = accounts.filter((a) => a.status === 'ACTIVE');
  const byId = new Map(active.map((a) => [a.id, a]));
  const destinations = { payees: new Set(payees.map((p) => p.id)), billers: new Set(billers.map((b) => b.id)) };
  const [review, setReview] = useState<CreatePaymentInput>();
  const [result, setResult] = useState<PaymentResult>();
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const form = useForm<PaymentDetailsValues>({
    initialValues: { ...EMPTY_PAYMENT_DETAILS, accountId: active.length === 1 ? active[0].id : '', ...defaults },
    validate: (values) => paymentDetailErrors(values, byId, destinations),
  });
  const from = byId.get(review?.accountId ?? form.values.accountId);
  const messages = paymentRefusals(from?.currency, 'Pay');
  const pay = useMeridianMutation(CreatePaymentDocument, {
    requestOptions: () => ({ idempotencyKey: key.current }),
    onSettled: (_data, error) => attempt.settled(error ?? undefined),
    onSuccess: async (data) => {
      setResult(data.createPayment);
      setReview(undefined);
      form.setValues({ amount: '', description: '' });
      form.resetDirty();
      onPaid?.(data.createPayment);
      await refreshAfterPayment(queryClient);
    },
    onError: (error) => {
      const field = refusedPaymentField(error);
      if (!field) return;
      // A refusal about one field goes back to the details, under that field.
      setReview(undefined);
      form.setFieldError(field, errorMessage(error, messages));
    },
  });
  const refusal = pay.error && !refusedPaymentField(pay.error) ? errorMessage(pay.error, messages) : undefined;

  useEffect(() => {
    if (review) reviewHeading.current?.focus();
  }, [review]);

  const check = form.onSubmit((values) => {
    const account = byId.get(values.accountId)!;
    pay.reset();
    setResult(undefined);
    setReview(paymentInputOf(values, account));
  });

  const send = () => {
    if (!review) return;
    key.current = attempt.keyFor(review);
    pay.mutate({ input: { ...review, confirm: true } });
  };

  const payee = payees.find((p) => p.id === review?.payeeId);
  const biller = billers.find((b) => b.id === review?.billerId);
  const to = review?.recipient ? (review.recipient.email ?? review.recipient.phone) : payee ? `${payee.name} (${payee.maskedAccount})` : biller ? `${biller.name} (${biller.maskedReference})` : '';

  return (
    <Stack>
      {result && <PaymentOutcome payment={result} />}
      {review && from ? (
        <Stack>
          <Title order={2} size="h4" ref={reviewHeading} tabIndex={-1}>
            Check the payment
          </Title>
          <Box component="dl" m={0}>
            <Stack gap="xs">
              <Line term="To">{to}</Line>
              <Line term="From">{from.name}</Line>
              <Line term="Amount">{formatMoney(review.amount, review.currency)}</Line>
              {review.description && <Line term="Note">{review.description}</Line>}
            </Stack>
          </Box>
          {refusal && (
            <Alert color="red" role="alert" title="Not paid">
              {refusal}
            </Alert>
          )}
          <Group>
            <Button onClick={send} loading={pay.isPending}>
              Pay {formatMoney(review.amount, review.currency)}
            </Button>
            <Button variant="default" onClick={() => setReview(undefined)} disabled={pay.isPending}>
              Change
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={check} noValidate>
          <Stack>
            <PaymentFields
              values={form.values}
              inputProps={(field) => form.getInputProps(field)}
              onKindChange={(kind) => form.setFieldValue('kind', kind)}
              accounts={active}
              payees={payees}
              billers={billers}
              targets={TARGETS}
            />
            <Button type="submit">Continue</Button>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
