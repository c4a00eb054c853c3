import { Alert, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { MeDocument, ResendEmailVerificationDocument, type MeQuery } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';

/** Props of {@link EmailAddressStatus}. */
export interface EmailAddressStatusProps {
  me: Pick<MeQuery['me'], 'email' | 'emailVerified'>;
}

/**
 * The account's address and whether it is verified; when it is not, "Send
 * the link again" (`resendEmailVerification`, which replaces earlier links).
 */
export function EmailAddressStatus({ me }: EmailAddressStatusProps) {
  const queryClient = useQueryClient();
  const resend = useMeridianMutation(ResendEmailVerificationDocument, {
    // False means the address was verified meanwhile (another tab): show it so.
    onSuccess: async (data) => {
      if (!data.resendEmailVerification) await queryClient.invalidateQueries({ queryKey: meridianQueryKey(MeDocument) });
    },
  });
  return (
    <Stack gap="sm">
      <Group gap="sm" wrap="wrap">
        <Text fw={600} data-testid="email-address" style={{ overflowWrap: 'anywhere' }}>
          {me.email}
        </Text>
        <Badge color={me.emailVerified ? 'green' : 'orange'} variant="light">
          {me.emailVerified ? 'Verified' : 'Not verified'}
        </Badge>
      </Group>
      {!me.emailVerified && (
        <>
          <Text size="sm">Open the link we emailed you to verify this address. It works for 24 hours.</Text>
          {resend.error && (
            <Alert color="red" role="alert" title="No link sent">
              {errorMessage(resend.error)}
            </Alert>
          )}
          {resend.data?.resendEmailVerification && (
            <Alert color="green" role="status" title="Link sent">
              We sent a new link to {me.email}. Earlier links no longer work.
            </Alert>
          )}
          <Group>
            <Button variant="default" onClick={() => resend.mutate({})} loading={resend.isPending}>
              Send the link again
            </Button>
          </Group>
        </>
      )}
      {resend.data?.resendEmailVerification === false && (
        <Alert color="green" role="status">
          Your email address is already verified.
        </Alert>
      )}
    </Stack>
  );
}
