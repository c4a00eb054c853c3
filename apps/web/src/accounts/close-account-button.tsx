import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { AccountsDocument, CloseAccountDocument } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { formatMoney, toMinorUnits } from '../money/format-money';
import type { AccountSummary } from './use-accounts';

/** Closes an account after a confirmation; banking refuses while it holds money or reservations (CONFLICT). */
export function CloseAccountButton({ account }: { account: AccountSummary }) {
  const [opened, { open, close }] = useDisclosure(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { posted, pending } = account.balance;
  const hasPending = toMinorUnits(pending.amount, pending.currency) !== 0n;
  const holdsMoney = toMinorUnits(posted.amount, posted.currency) !== 0n || hasPending;
  const closing = useMeridianMutation(CloseAccountDocument, {
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(AccountsDocument) });
      notifications.show({ color: 'green', title: 'Account closed', message: `${account.name} is closed. Its history stays available.` });
      close();
      void navigate({ to: '/accounts' });
    },
  });
  const refusal =
    closing.error &&
    errorMessage(closing.error, {
      CONFLICT: (error) =>
        holdsMoney
          ? `${account.name} still holds ${formatMoney(posted.amount, posted.currency)}${hasPending ? ' and has pending transfers' : ''}. Move the money to another of your accounts first, then close it.`
          : error.message,
      NOT_FOUND: 'This account could not be found. It may already be closed.',
    });
  return (
    <>
      <Button color="red" variant="light" onClick={open}>
        Close this account
      </Button>
      <Modal opened={opened} onClose={close} title={`Close ${account.name}?`} centered>
        <Stack>
          <Text size="sm">An account can be closed only when its balance is zero and nothing is pending. Its history stays available.</Text>
          {refusal && (
            <Alert color="red" role="alert" title="Not closed">
              {refusal}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep it open
            </Button>
            <Button color="red" onClick={() => closing.mutate({ id: account.id })} loading={closing.isPending}>
              Close the account
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
