import { Alert, Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ChangePasswordDocument, SessionsDocument } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, refusedField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { credentialMessages, isWrongPassword, WRONG_PASSWORD } from './credential-messages';

/** Identity's bounds; its other rules (how guessable, not the email) are its to tell. */
const MIN_LENGTH = 12;
const MAX_LENGTH = 128;

const MESSAGES = credentialMessages('Changing your password', 'Change my password');

/**
 * Changes the password (`changePassword`): the current one, the new one
 * twice. Identity asks for a recent second factor (the step-up dialog) and
 * signs out every other session; this browser stays signed in.
 */
export function ChangePasswordForm() {
  const queryClient = useQueryClient();
  const [changed, setChanged] = useState(false);
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: (value) => (value ? null : 'Enter your current password.'),
      newPassword: (value, values) => {
        const length = [...value].length;
        if (length < MIN_LENGTH) return `Use at least ${MIN_LENGTH} characters.`;
        if (length > MAX_LENGTH) return `Use at most ${MAX_LENGTH} characters.`;
        return value === values.currentPassword ? 'Choose a password different from your current one.' : null;
      },
      confirm: (value, values) => (value === values.newPassword ? null : 'The two new passwords are not the same.'),
    },
  });
  const change = useMeridianMutation(ChangePasswordDocument, {
    onSuccess: async () => {
      setChanged(true);
      form.reset();
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(SessionsDocument) });
    },
    onError: (error) => {
      if (isWrongPassword(error)) form.setFieldError('currentPassword', WRONG_PASSWORD);
      else if (refusedField(error, ['newPassword'])) form.setFieldError('newPassword', errorMessage(error));
    },
  });
  const underField = change.error && (isWrongPassword(change.error) || refusedField(change.error, ['newPassword']));
  const refusal = change.error && !underField ? errorMessage(change.error, MESSAGES) : undefined;

  return (
    <form
      onSubmit={form.onSubmit(({ currentPassword, newPassword }) => {
        setChanged(false);
        change.mutate({ currentPassword, newPassword });
      })}
      noValidate
    >
      <Stack>
        <PasswordInput label="Current password" autoComplete="current-password" required {...form.getInputProps('currentPassword')} />
        <PasswordInput
          label="New password"
          description={`At least ${MIN_LENGTH} characters. A few unrelated words make a strong one.`}
          autoComplete="new-password"
          required
          {...form.getInputProps('newPassword')}
        />
        <PasswordInput label="New password again" autoComplete="new-password" required {...form.getInputProps('confirm')} />
        {refusal && (
          <Alert color="red" role="alert" title="Password not changed">
            {refusal}
          </Alert>
        )}
        {changed && (
          <Alert color="green" role="status" title="Password changed">
            Your password is changed. Every other device was signed out; this one stays signed in.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={change.isPending}>
            Change my password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
