import { Button, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { DecidePaymentDocument, PaymentReviewQueueDocument, type DecidePaymentMutation, type PaymentDecision, type PaymentReviewQueueQuery } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorField, errorMessage, type ErrorMessages } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { formatMoney } from '../money/format-money';
import { useIdempotentAttempt } from '../transfers/use-idempotent-attempt';
import { reasonProblem } from './review-reason-form';
import { PAYMENT_STATUS_LABELS } from './staff-format';
import { FormActions } from '../layout/form-actions';

/** A payment held for review as the queue returns it. */
export type HeldPayment = PaymentReviewQueueQuery['paymentReviewQueue']['edges'][number]['node'];
/** A payment as a decision answers it. */
export type DecidedPayment = DecidePaymentMutation['decidePayment'];

const VERBS: Record<PaymentDecision, { button: string; past: string }> = {
  APPROVE: { button: 'Approve the payment', past: 'approved' },
  REJECT: { button: 'Reject the payment', past: 'rejected' },
};

function decisionMessages(decision: PaymentDecision): ErrorMessages {
  const unsure = `We could not tell whether the payment was ${VERBS[decision].past}. Press “${VERBS[decision].button}” again: a decision is never recorded twice.`;
  return {
    CONFLICT: (error) => {
      const state = error.errors[0]?.extensions?.state;
      const label = typeof state === 'string' && state in PAYMENT_STATUS_LABELS ? PAYMENT_STATUS_LABELS[state as keyof typeof PAYMENT_STATUS_LABELS].toLowerCase() : undefined;
      return `This payment is no longer held for review${label ? ` (it is ${label})` : ''}: someone decided it or the customer cancelled it.`;
    },
    NOT_FOUND: 'This payment could not be found. Reload the queue.',
    FORBIDDEN: 'Your role does not allow deciding payments.',
    IDEMPOTENCY_KEY_REUSED: 'This decision was already sent with other details. Reload the queue before trying again.',
    SERVICE_UNAVAILABLE: `Payments could not record the decision just now. Press “${VERBS[decision].button}” again: it will not be recorded twice.`,
    NETWORK_ERROR: unsure,
    BAD_RESPONSE: unsure,
    INTERNAL_SERVER_ERROR: unsure,
  };
}

/** Props of {@link PaymentDecisionForm}. */
export interface PaymentDecisionFormProps {
  payment: HeldPayment;
  decision: PaymentDecision;
  onDecided?: (payment: DecidedPayment) => void;
  onCancel?: () => void;
}

/**
 * Approves (the money moves) or rejects (the hold is released) a payment held
 * for review, with a reason of 3 to 500 characters kept in its history
 * (`decidePayment`). Each attempt has its own idempotency key, reused when the
 * same decision is sent again after a failure that left the outcome unknown.
 */
export function PaymentDecisionForm({ payment, decision, onDecided, onCancel }: PaymentDecisionFormProps) {
  const queryClient = useQueryClient();
  const attempt = useIdempotentAttempt();
  const form = useForm({ initialValues: { reason: '' }, validate: { reason: (value) => reasonProblem(value, 'Give the reason for your decision.') } });
  const decide = useMeridianMutation(DecidePaymentDocument, {
    onSettled: (_data, error) => attempt.settled(error ?? undefined),
    onSuccess: async (data) => {
      onDecided?.(data.decidePayment);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(PaymentReviewQueueDocument) });
    },
    onError: (error) => {
      if (errorField(error) === 'reason') form.setFieldError('reason', error.message);
    },
  });
  const refusal = decide.error && errorField(decide.error) !== 'reason' ? errorMessage(decide.error, decisionMessages(decision)) : undefined;
  const amount = formatMoney(payment.amount.amount, payment.amount.currency);

  return (
    <form
      onSubmit={form.onSubmit(({ reason }) => {
        const request = { id: payment.id, decision, reason: reason.trim() };
        decide.mutate({ ...request, idempotencyKey: attempt.keyFor(request) });
      })}
      noValidate
    >
      <Stack>
        <Text size="sm">
          {decision === 'APPROVE'
            ? `${amount} goes to ${payment.counterparty.name} at once.`
            : `The payment of ${amount} to ${payment.counterparty.name} fails and the money held for it is released.`}
        </Text>
        <Textarea
          label="Reason for the decision"
          description="Kept in the payment’s history and the audit log."
          autosize
          minRows={2}
          maxRows={6}
          required
          data-autofocus
          {...form.getInputProps('reason')}
        />
        <FormActions refusal={refusal} refusalTitle="Not decided" onCancel={onCancel}>
          <Button type="submit" color={decision === 'REJECT' ? 'red' : undefined} loading={decide.isPending}>
            {VERBS[decision].button}
          </Button>
        </FormActions>
      </Stack>
    </form>
  );
}
