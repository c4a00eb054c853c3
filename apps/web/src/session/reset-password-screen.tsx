import { Alert, Button, Container, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { ResetPasswordDocument } from '@meridian/client/web';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { errorField, errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';

const route = getRouteApi('/reset-password');

/** The identity service's minimum; its other rules (no common passwords, not the email) are its to tell. */
const MIN_LENGTH = 12;

/** Where the reset email links (`/reset-password?token=…`): a new password, then every session ends and the person signs in again. */
export function ResetPasswordScreen() {
  const { token } = route.useSearch();
  const navigate = useNavigate();
  const form = useForm({
    initialValues: { newPassword: '', confirm: '' },
    validate: {
      newPassword: (value) => ([...value].length >= MIN_LENGTH ? null : `Use at least ${MIN_LENGTH} characters.`),
      confirm: (value, values) => (value === values.newPassword ? null : 'The two passwords are not the same.'),
    },
  });
  const reset = useMeridianMutation(ResetPasswordDocument, {
    onSuccess: () => {
      notifications.show({ color: 'green', title: 'Password changed', message: 'Sign in with your new password.' });
      void navigate({ to: '/sign-in', search: {} });
    },
    onError: (error) => {
      if (errorField(error)) form.setFieldError('newPassword', errorMessage(error));
    },
  });
  const refusal = reset.error && !errorField(reset.error) ? errorMessage(reset.error, { INVALID_CODE: 'This link is not valid any more: it was used, replaced by a newer one, or is more than 30 minutes old.' }) : undefined;
  return (
    <Container size={420} py="xl">
      <Stack>
        <Title order={1}>Choose a new password</Title>
        <Paper withBorder p="lg">
          {!token ? (
            <Alert color="red" role="alert">
              This page needs the link from your email. Open the link again, or ask for a new one.
            </Alert>
          ) : (
            <form onSubmit={form.onSubmit(({ newPassword }) => reset.mutate({ token, newPassword }))} noValidate>
              <Stack>
                <Text size="sm">Every device signed in to your account will be signed out.</Text>
                <PasswordInput label="New password" autoComplete="new-password" required {...form.getInputProps('newPassword')} />
                <PasswordInput label="New password again" autoComplete="new-password" required {...form.getInputProps('confirm')} />
                {refusal && (
                  <Alert color="red" role="alert">
                    {refusal}
                  </Alert>
                )}
                <Button type="submit" loading={reset.isPending}>
                  Change my password
                </Button>
              </Stack>
            </form>
          )}
        </Paper>
        <AnchorLink to="/forgot-password">Ask for a new link</AnchorLink>
      </Stack>
    </Container>
  );
}
