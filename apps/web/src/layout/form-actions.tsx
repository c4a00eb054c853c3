import { Alert, Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The end of a form: why the last submit was refused (if it was), then Cancel (when the form can be
 * left) beside the submit button the form passes as its child.
 */
export function FormActions({ refusal, refusalTitle, onCancel, children }: { refusal?: ReactNode; refusalTitle: string; onCancel?: () => void; children: ReactNode }) {
  return (
    <>
      {refusal && (
        <Alert color="red" role="alert" title={refusalTitle}>
          {refusal}
        </Alert>
      )}
      <Group justify="flex-end">
        {onCancel && (
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        )}
        {children}
      </Group>
    </>
  );
}
