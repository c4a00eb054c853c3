import { Alert, Badge, Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { DisableTotpDocument, MfaStatusDocument, RegenerateRecoveryCodesDocument, type MfaMethod, type MfaStatusQuery } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, type ErrorMessages } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation, useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { RecoveryCodes } from './recovery-codes';
import { TotpEnrolment } from './totp-enrolment';
import { Loading } from '../layout/load-states';

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const METHOD_LABELS: Record<MfaMethod, string> = {
  TOTP: 'a code from your authenticator app',
  RECOVERY_CODE: 'a recovery code',
  EMAIL: 'a code by email',
  SMS: 'a code by text message',
};

const NOT_ENABLED: ErrorMessages = { CONFLICT: 'No authenticator app is set up any more. Reload the page.' };

/** "a code by email, or a recovery code". */
function describeMethods(methods: readonly MfaMethod[]): string {
  const labels = methods.map((m) => METHOD_LABELS[m]);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}` : (labels[0] ?? 'nothing else');
}

function TotpOn({ mfa, onCodes }: { mfa: MfaStatusQuery['me']['mfa']; onCodes: (codes: string[]) => void }) {
  const queryClient = useQueryClient();
  const [confirmOff, setConfirmOff] = useState(false);
  const refreshStatus = () => queryClient.invalidateQueries({ queryKey: meridianQueryKey(MfaStatusDocument) });
  const regenerate = useMeridianMutation(RegenerateRecoveryCodesDocument, {
    onSuccess: async (data) => {
      onCodes(data.regenerateRecoveryCodes.codes);
      await refreshStatus();
    },
  });
  const disable = useMeridianMutation(DisableTotpDocument, {
    onSuccess: async () => {
      setConfirmOff(false);
      notifications.show({ color: 'green', title: 'Authenticator app off', message: 'Sign-in no longer asks for a code from the app.' });
      await refreshStatus();
    },
    onError: () => setConfirmOff(false),
  });
  const stepUpAgain = (button: string): ErrorMessages => ({ ...NOT_ENABLED, STEP_UP_REQUIRED: `This needs you to confirm it is you. Press “${button}” to try again.` });
  return (
    <Stack>
      <Group gap="sm">
        <Badge color="green" variant="light" size="lg">
          On
        </Badge>
        <Text>Authenticator app set up{mfa.totpEnabledAt ? ` on ${day.format(new Date(mfa.totpEnabledAt))}` : ''}.</Text>
      </Group>
      <Text data-testid="recovery-codes-left">
        {mfa.recoveryCodesLeft} of 10 recovery codes left.{mfa.recoveryCodesLeft <= 2 ? ' Get new ones before you run out.' : ''}
      </Text>
      {regenerate.error && (
        <Alert color="red" role="alert" title="No new codes">
          {errorMessage(regenerate.error, stepUpAgain('Get new recovery codes'))}
        </Alert>
      )}
      {disable.error && (
        <Alert color="red" role="alert" title="Still on">
          {errorMessage(disable.error, stepUpAgain('Turn off'))}
        </Alert>
      )}
      <Group gap="sm">
        <Button variant="default" onClick={() => regenerate.mutate({})} loading={regenerate.isPending}>
          Get new recovery codes
        </Button>
        <Button variant="light" color="red" onClick={() => setConfirmOff(true)}>
          Turn off
        </Button>
      </Group>
      <Modal opened={confirmOff} onClose={() => setConfirmOff(false)} title="Turn off the authenticator app?" centered>
        <Stack>
          <Text size="sm">Sign-in will ask only for your password, and your recovery codes stop working.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmOff(false)}>
              Keep it on
            </Button>
            <Button color="red" onClick={() => disable.mutate({})} loading={disable.isPending}>
              Turn off
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** Two-step verification: set up the authenticator app (QR code, link, first code, recovery codes once), or renew its recovery codes, or turn it off. */
export function TwoStepScreen() {
  const queryClient = useQueryClient();
  const status = useMeridianQuery(MfaStatusDocument, {}, { staleTime: 0 });
  const [codes, setCodes] = useState<string[]>();
  const mfa = status.data?.me.mfa;
  return (
    <Stack maw={720}>
      <AnchorLink to="/security">← Security</AnchorLink>
      <Title order={1}>Two-step verification</Title>
      <Text>A second step after your password keeps your account safe even if someone learns the password.</Text>
      {status.isPending && <Loading label="Loading your two-step verification" />}
      {status.error && (
        <Alert color="red" role="alert">
          {errorMessage(status.error)}
        </Alert>
      )}
      {codes ? (
        <Paper withBorder p="lg">
          <RecoveryCodes
            codes={codes}
            onDone={() => {
              setCodes(undefined);
              void queryClient.invalidateQueries({ queryKey: meridianQueryKey(MfaStatusDocument) });
            }}
          />
        </Paper>
      ) : (
        mfa && (
          <>
            <Paper withBorder p="lg">
              {mfa.totpEnabled ? <TotpOn mfa={mfa} onCodes={setCodes} /> : <TotpEnrolment onConfirmed={setCodes} />}
            </Paper>
            <Text size="sm" data-testid="mfa-methods">
              {mfa.required ? 'Each sign-in asks' : 'Confirming a sensitive change asks'} for {describeMethods(mfa.methods)}.
            </Text>
          </>
        )
      )}
    </Stack>
  );
}
