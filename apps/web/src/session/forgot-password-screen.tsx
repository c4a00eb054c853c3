import { Alert, Button, Container, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { RequestPasswordResetDocument } from '@meridian/client/web';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';

/** "Forgot your password?": asks identity to email a reset link (`requestPasswordReset`, which never says whether the address has an account). */
export function ForgotPasswordScreen() {
  const form = useForm({
    initialValues: { email: '' },
    validate: { email: (value) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim()) ? null : 'Enter an email address like name@example.com.') },
  });
  const reset = useMeridianMutation(RequestPasswordResetDocument);
  return (
    <Container size={420} py="xl">
      <Stack>
        <Title order={1}>Reset your password</Title>
        <Paper withBorder p="lg">
          {reset.isSuccess ? (
            <Alert color="green" role="status" title="Check your email">
              If an account uses {reset.variables.email}, we have sent it a link to choose a new password. The link works once, for 30 minutes.
            </Alert>
          ) : (
            <form onSubmit={form.onSubmit(({ email }) => reset.mutate({ email: email.trim() }))} noValidate>
              <Stack>
                <Text size="sm">Enter the email address you sign in with and we will send you a link to choose a new password.</Text>
                <TextInput label="Email address" type="email" autoComplete="email" required {...form.getInputProps('email')} />
                {reset.error && (
                  <Alert color="red" role="alert">
                    {errorMessage(reset.error)}
                  </Alert>
                )}
                <Button type="submit" loading={reset.isPending}>
                  Send the link
                </Button>
              </Stack>
            </form>
          )}
        </Paper>
        <AnchorLink to="/sign-in">Back to sign in</AnchorLink>
      </Stack>
    </Container>
  );
}
