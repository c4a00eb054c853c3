import { Alert, Button, Container, Paper, Stack, Text, Title } from '@mantine/core';
import { VerifyEmailDocument } from '@meridian/client/web';
import { getRouteApi } from '@tanstack/react-router';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';

const route = getRouteApi('/verify-email');

/**
 * Where the verification email links (`/verify-email?token=…`). The token is
 * sent only when the person presses the button, so a mail scanner that opens
 * links does not use it up.
 */
export function VerifyEmailScreen() {
  const { token } = route.useSearch();
  const verify = useMeridianMutation(VerifyEmailDocument);
  return (
    <Container size={480} py="xl">
      <Stack>
        <Title order={1}>Verify your email address</Title>
        <Paper withBorder p="lg">
          {!token ? (
            <Alert color="red" role="alert">
              This page needs the link from your email. Open the link again, or copy all of it into the address bar.
            </Alert>
          ) : verify.isSuccess ? (
            <Alert color="green" role="status" title="Verified">
              Your email address is verified.
            </Alert>
          ) : (
            <Stack>
              <Text>Confirm that this email address is yours.</Text>
              {verify.error && (
                <Alert color="red" role="alert">
                  {errorMessage(verify.error, {
                    INVALID_CODE: 'This link is not valid any more: it was used, replaced by a newer one, or is more than 24 hours old. Sign in to send a new one.',
                  })}
                </Alert>
              )}
              <Button onClick={() => verify.mutate({ token })} loading={verify.isPending}>
                Verify my email address
              </Button>
            </Stack>
          )}
        </Paper>
        <AnchorLink to="/accounts">Go to your accounts</AnchorLink>
      </Stack>
    </Container>
  );
}
