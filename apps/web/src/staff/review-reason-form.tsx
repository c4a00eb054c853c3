import { Button, Group, Stack, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';

/** How long a reason for a staff read may be, trimmed (the API's `staffReason`). */
export const REASON_LENGTH = { min: 3, max: 500 } as const;

/** What is wrong with a reason, or null when the API will take it. */
export function reasonProblem(value: string, empty = 'Give a reason: every read is recorded with it.'): string | null {
  const reason = value.trim();
  if (!reason) return empty;
  if (reason.length < REASON_LENGTH.min) return `Use at least ${REASON_LENGTH.min} characters.`;
  if (reason.length > REASON_LENGTH.max) return `Use at most ${REASON_LENGTH.max} characters.`;
  return null;
}

/** Props of {@link ReviewReasonForm}. */
export interface ReviewReasonFormProps {
  /** The reason given before, to change. */
  initialReason?: string;
  /** Called with the reason, trimmed. */
  onSubmit: (reason: string) => void;
  onCancel?: () => void;
}

/**
 * Why a staff member is looking (a ticket or case number, what they were asked
 * to check): 3 to 500 characters, sent with every read of customers' data and
 * kept in the audit logs.
 */
export function ReviewReasonForm({ initialReason = '', onSubmit, onCancel }: ReviewReasonFormProps) {
  const form = useForm({
    initialValues: { reason: initialReason },
    validate: { reason: (value) => reasonProblem(value) },
  });
  return (
    <form onSubmit={form.onSubmit(({ reason }) => onSubmit(reason.trim()))} noValidate>
      <Stack>
        <Textarea
          label="Reason for looking"
          description="A ticket or case number, or what you were asked to check. It is recorded with every read until you change it."
          autosize
          minRows={2}
          maxRows={6}
          required
          data-autofocus
          {...form.getInputProps('reason')}
        />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit">Use this reason</Button>
        </Group>
      </Stack>
    </form>
  );
}
