import { Alert, Button, Group, Modal, Paper, Stack, Text } from '@mantine/core';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { errorField, type ErrorMessages } from '../api/error-messages';
import { ReviewReasonForm } from './review-reason-form';

/** The reason of the current review session, and a way to ask for (another) one. */
export interface ReviewReason {
  /** Sent as `reason` with every staff read; undefined until given. */
  reason: string | undefined;
  /** Opens the dialog that asks for the reason. */
  ask: () => void;
}

const ReviewReasonContext = createContext<ReviewReason | null>(null);

/**
 * Holds the reason of a review session: asked once in a small dialog, then
 * passed to every read of the staff screens below until changed. Kept in
 * memory only, so it ends with the page or on leaving the staff screens.
 */
export function ReviewReasonProvider({ children, initialReason }: { children: ReactNode; initialReason?: string }) {
  const [reason, setReason] = useState(initialReason);
  const [asking, setAsking] = useState(false);
  const ask = useCallback(() => setAsking(true), []);
  const value = useMemo(() => ({ reason, ask }), [reason, ask]);
  return (
    <ReviewReasonContext.Provider value={value}>
      {children}
      <Modal opened={asking} onClose={() => setAsking(false)} title="Why are you looking?" centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack>
          <Text size="sm">Every read of a customer’s data is recorded in the audit log with your reason for it.</Text>
          <ReviewReasonForm
            initialReason={reason}
            onSubmit={(given) => {
              setReason(given);
              setAsking(false);
            }}
            onCancel={() => setAsking(false)}
          />
        </Stack>
      </Modal>
    </ReviewReasonContext.Provider>
  );
}

/** The review session's reason; the dialog opens by itself when a screen needs one and none was given. */
export function useReviewReason(): ReviewReason {
  const context = useContext(ReviewReasonContext);
  if (!context) throw new Error('useReviewReason needs a <ReviewReasonProvider> above it');
  const { reason, ask } = context;
  // Asked when the screen opens (`ask` never changes); after a cancel the screen offers the dialog again.
  useEffect(() => {
    if (reason === undefined) ask();
  }, [ask]);
  return context;
}

/** The reason being recorded, with "Change". */
export function ReasonBar({ reason, onChange }: { reason: string; onChange: () => void }) {
  return (
    <Paper withBorder p="xs" px="sm">
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" style={{ minWidth: 0, overflowWrap: 'anywhere' }} data-testid="review-reason">
          Reason recorded with each read: “{reason}”
        </Text>
        <Button size="xs" variant="default" onClick={onChange} aria-label="Change the reason for looking" style={{ flexShrink: 0 }}>
          Change
        </Button>
      </Group>
    </Paper>
  );
}

/** What a staff screen shows while no reason is given: nothing is read without one. */
export function ReasonNeeded({ onGive }: { onGive: () => void }) {
  return (
    <Alert color="yellow" role="alert" title="A reason is needed">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">Nothing is shown without a reason: every read of a customer’s data is recorded with why it was made.</Text>
        <Button size="xs" onClick={onGive}>
          Give a reason
        </Button>
      </Stack>
    </Alert>
  );
}

/** Wording for the refusals of a staff read. */
export const STAFF_READ_MESSAGES: ErrorMessages = {
  FORBIDDEN: 'Your role does not allow this. Ask an administrator if you need it.',
  BAD_USER_INPUT: (error) => (errorField(error) === 'reason' ? `The reason was refused: ${error.message} Change it and try again.` : error.message),
};
