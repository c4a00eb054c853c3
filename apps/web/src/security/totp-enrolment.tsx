import { Alert, Anchor, Button, Code, Group, Image, List, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ConfirmTotpDocument, EnrolTotpDocument, MfaStatusDocument } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, errorReason } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';

/** Props of {@link TotpEnrolment}. */
export interface TotpEnrolmentProps {
  /** The app is confirmed: here are the ten recovery codes, to show once. */
  onConfirmed: (codes: string[]) => void;
}

/** A base32 secret in groups of four, easier to type. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Sets up an authenticator app: `enrolTotp` gives a secret (as a QR code, an
 * `otpauth://` link and text), then a first code from the app confirms it
 * (`confirmTotp`), which answers the recovery codes.
 */
export function TotpEnrolment({ onConfirmed }: TotpEnrolmentProps) {
  const queryClient = useQueryClient();
  const refreshStatus = () => queryClient.invalidateQueries({ queryKey: meridianQueryKey(MfaStatusDocument) });
  const enrol = useMeridianMutation(EnrolTotpDocument, {
    onError: (error) => {
      if (errorReason(error) === 'MFA_ALREADY_ENABLED') void refreshStatus();
    },
  });
  const form = useForm({
    initialValues: { code: '' },
    validate: { code: (value) => (/^\d{6}$/.test(value.replace(/\s/g, '')) ? null : 'Enter the 6-digit code the app shows now.') },
  });
  const confirm = useMeridianMutation(ConfirmTotpDocument, {
    onSuccess: (data) => onConfirmed(data.confirmTotp.codes),
    onError: (error) => {
      if (errorReason(error) === 'MFA_ALREADY_ENABLED') void refreshStatus();
    },
  });
  const setUp = enrol.data?.enrolTotp;

  if (!setUp) {
    return (
      <Stack>
        <Text>Use an authenticator app such as Google Authenticator, Microsoft Authenticator or 1Password. Once it is on, every sign-in asks for a code from it.</Text>
        {enrol.error && (
          <Alert color="red" role="alert" title="Not started">
            {errorMessage(enrol.error, { CONFLICT: 'An authenticator app is already set up.' })}
          </Alert>
        )}
        <Group>
          <Button onClick={() => enrol.mutate({})} loading={enrol.isPending}>
            Set up an authenticator app
          </Button>
        </Group>
      </Stack>
    );
  }

  const refusal =
    confirm.error &&
    errorMessage(confirm.error, {
      INVALID_CODE: 'That code is not right. Use the newest code the app shows, and check that the phone sets its clock automatically.',
      CONFLICT: (error) =>
        errorReason(error) === 'MFA_NOT_ENROLLING' ? 'This set-up has expired or was replaced. Start again.' : 'An authenticator app is already set up.',
    });
  return (
    <Stack>
      <List type="ordered" spacing="sm">
        <List.Item>
          Scan this QR code with the app.
          <Image src={setUp.qrCode} alt="QR code to scan with your authenticator app" w={200} h={200} mt="xs" data-testid="totp-qr" />
        </List.Item>
        <List.Item>
          Or, on the phone with the app, open <Anchor href={setUp.uri}>this set-up link</Anchor>. Its address is:
          <Code block mt="xs" data-testid="totp-uri" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
            {setUp.uri}
          </Code>
        </List.Item>
        <List.Item>
          Or type this key into the app: <Code data-testid="totp-secret">{groupSecret(setUp.secret)}</Code>
        </List.Item>
      </List>
      <form onSubmit={form.onSubmit(({ code }) => confirm.mutate({ code: code.replace(/\s/g, '') }))} noValidate>
        <Stack>
          <TextInput
            label="Code from the app"
            description="6 digits; it changes every 30 seconds"
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            {...form.getInputProps('code')}
          />
          {refusal && (
            <Alert color="red" role="alert" title="Not turned on">
              {refusal}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={confirm.isPending}>
              Turn on
            </Button>
            {errorReason(confirm.error) === 'MFA_NOT_ENROLLING' && (
              <Button
                variant="default"
                onClick={() => {
                  confirm.reset();
                  form.reset();
                  enrol.mutate({});
                }}
                loading={enrol.isPending}
              >
                Start again
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
