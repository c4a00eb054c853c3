import { Alert, Button, Radio, Stack, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import {
  DecideKycCaseDocument,
  KycCaseDocument,
  KycReviewQueueDocument,
  type DecideKycCaseMutation,
  type KycDecision,
  type KycTier,
} from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorField, errorMessage, errorReason, type ErrorMessages } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { reasonProblem } from './review-reason-form';
import { KYC_STATE_LABELS, TIER_LABELS } from './staff-format';

/** What a decision answers: the case as it now stands. */
export type DecidedCase = DecideKycCaseMutation['decideKycCase'];

const UNSURE = 'We could not tell whether the decision was recorded. Reload the case before deciding again.';

const DECISION_MESSAGES: ErrorMessages = {
  CONFLICT: (error) => {
    switch (errorReason(error)) {
      case 'NOT_IN_REVIEW': {
        const state = error.errors[0]?.extensions?.state;
        const label = typeof state === 'string' && state in KYC_STATE_LABELS ? KYC_STATE_LABELS[state as keyof typeof KYC_STATE_LABELS].toLowerCase() : 'decided';
        return `This case is no longer in review (it is ${label}). Reload it to see what changed.`;
      }
      case 'FOUR_EYES_REQUIRED':
        return 'You proposed this rejection yourself: a second compliance officer must confirm it.';
      case 'NOT_APPLICABLE':
        return 'This is a re-screening review: approve or reject it. The customer has nothing to resubmit.';
      default:
        return error.message;
    }
  },
  NOT_FOUND: 'This case could not be found. Go back to the queue.',
  FORBIDDEN: 'Your role does not allow deciding KYC cases.',
  NETWORK_ERROR: UNSURE,
  BAD_RESPONSE: UNSURE,
  INTERNAL_SERVER_ERROR: UNSURE,
};

/** What happened, in a sentence, once a decision is recorded. */
export function decidedMessage(decided: DecidedCase, targetTier: KycTier): string {
  switch (decided.state) {
    case 'APPROVED':
      return `Approved: the customer now holds ${TIER_LABELS[targetTier]}.`;
    case 'REJECTED':
      return 'Rejected: the customer is told their identity could not be verified.';
    case 'RESUBMISSION_REQUESTED':
      return 'The customer was asked to change or upload something, with your reason.';
    default:
      return decided.pendingDecision ? 'Rejection proposed: a second compliance officer must confirm it.' : `The case is now ${KYC_STATE_LABELS[decided.state].toLowerCase()}.`;
  }
}

/** Props of {@link KycDecisionForm}. */
export interface KycDecisionFormProps {
  caseId: string;
  targetTier: KycTier;
  onDecided?: (decided: DecidedCase) => void;
}

/**
 * A compliance officer's decision on a case in review (`decideKycCase`):
 * approve, reject (a tier 2 rejection takes two officers: the first proposes,
 * another confirms) or ask the customer to resubmit, with a reason of 3 to
 * 500 characters (shown to the customer only when asking to resubmit).
 */
export function KycDecisionForm({ caseId, targetTier, onDecided }: KycDecisionFormProps) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { decision: '', reason: '' },
    validate: {
      decision: (value) => (value ? null : 'Choose a decision.'),
      reason: (value) => reasonProblem(value, 'Give the reason for your decision.'),
    },
  });
  const decide = useMeridianMutation(DecideKycCaseDocument, {
    onSuccess: async (data) => {
      form.reset();
      onDecided?.(data.decideKycCase);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: meridianQueryKey(KycReviewQueueDocument) }),
        queryClient.invalidateQueries({ queryKey: meridianQueryKey(KycCaseDocument) }),
      ]);
    },
    onError: (error) => {
      if (errorField(error) === 'reason') form.setFieldError('reason', error.message);
    },
  });
  const refusal = decide.error && errorField(decide.error) !== 'reason' ? errorMessage(decide.error, DECISION_MESSAGES) : undefined;
  const resubmission = form.values.decision === 'REQUEST_RESUBMISSION';

  return (
    <form
      onSubmit={form.onSubmit(({ decision, reason }) => decide.mutate({ input: { caseId, decision: decision as KycDecision, reason: reason.trim() } }))}
      noValidate
    >
      <Stack>
        <Radio.Group label="Decision" required {...form.getInputProps('decision')}>
          <Stack gap="xs" mt="xs">
            <Radio value="APPROVE" label={`Approve: the customer gets ${TIER_LABELS[targetTier]}`} />
            <Radio value="REJECT" label={targetTier === 'TIER_2' ? 'Reject (a second officer confirms a tier 2 rejection)' : 'Reject'} />
            <Radio value="REQUEST_RESUBMISSION" label="Ask the customer to change or upload something" />
          </Stack>
        </Radio.Group>
        <Textarea
          label="Reason for the decision"
          description={
            resubmission
              ? 'Shown to the customer: say what to change or upload.'
              : 'Kept in the case’s history and the audit log; not shown to the customer.'
          }
          autosize
          minRows={2}
          maxRows={6}
          required
          {...form.getInputProps('reason')}
        />
        {refusal && (
          <Alert color="red" role="alert" title="Not decided">
            {refusal}
          </Alert>
        )}
        <Button type="submit" loading={decide.isPending} style={{ alignSelf: 'flex-start' }}>
          Record the decision
        </Button>
      </Stack>
    </form>
  );
}
