import { Alert, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ChangeEmailDocument } from '@meridian/client/web';
import { useState } from 'react';
import { errorMessage, refusedField } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { credentialMessages, isWrongPassword, WRONG_PASSWORD } from './credential-messages';

/** A syntactic check only; identity decides the rest. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const MESSAGES = credentialMessages('Changing your email address', 'Change my email address');

/** Props of {@link ChangeEmailForm}. */
export interface ChangeEmailFormProps {
  /** The address the account has now. */
  currentEmail: string;
}

/**
 * Asks to move the account to another address (`changeEmail`, with the
 * current password and a recent second factor). Identity emails a link to
 * the new address; the address changes only when it is opened.
 */
export function ChangeEmailForm({ currentEmail }: ChangeEmailFormProps) {
  const [asked, setAsked] = useState<string>();
  const form = useForm({
    initialValues: { newEmail: '', currentPassword: '' },
    validate: {
      newEmail: (value) => {
        const email = value.trim();
        if (!EMAIL.test(email)) return 'Enter an email address like name@example.com.';
        return email.toLowerCase() === currentEmail.toLowerCase() ? 'That is already your email address.' : null;
      },
      currentPassword: (value) => (value ? null : 'Enter your current password.'),
    },
  });
  const change = useMeridianMutation(ChangeEmailDocument, {
    onSuccess: (_data, { newEmail }) => {
      setAsked(newEmail);
      form.reset();
    },
    onError: (error) => {
      if (isWrongPassword(error)) form.setFieldError('currentPassword', WRONG_PASSWORD);
      else if (refusedField(error, ['newEmail'])) form.setFieldError('newEmail', errorMessage(error));
    },
  });
  const underField = change.error && (isWrongPassword(change.error) || refusedField(change.error, ['newEmail']));
  const refusal = change.error && !underField ? errorMessage(change.error, MESSAGES) : undefined;

  return (
    <form
      onSubmit={form.onSubmit(({ newEmail, currentPassword }) => {
        setAsked(undefined);
        change.mutate({ newEmail: newEmail.trim(), currentPassword });
      })}
      noValidate
    >
      <Stack>
        <TextInput label="New email address" type="email" autoComplete="email" required {...form.getInputProps('newEmail')} />
        <PasswordInput label="Current password" autoComplete="current-password" required {...form.getInputProps('currentPassword')} />
        {refusal && (
          <Alert color="red" role="alert" title="Email address not changed">
            {refusal}
          </Alert>
        )}
        {asked && (
          <Alert color="green" role="status" title="Check your new inbox">
            We sent a link to {asked}. Your address changes when you open it; until then you sign in with {currentEmail}.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={change.isPending}>
            Change my email address
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
