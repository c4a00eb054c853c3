import { Alert, Badge, Button, Card, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { CancelScheduledPaymentDocument, ScheduledPaymentsDocument, type ScheduledPaymentPartsFragment } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useAccounts } from '../accounts/use-accounts';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation, useMeridianQuery } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { formatMoney } from '../money/format-money';
import { SCHEDULE_STATUS } from './payment-labels';
import { PaymentsPage } from './payments-page';
import { describeLastOutcome, describeNextRun, describeSchedule } from './schedule-details';
import { ScheduledPaymentForm } from './scheduled-payment-form';
import { useSavedDestinations } from './use-payment-data';
import { Loading } from '../layout/load-states';

function ScheduledCard({ scheduled, onCancel, canceling }: { scheduled: ScheduledPaymentPartsFragment; onCancel: () => void; canceling: boolean }) {
  const status = SCHEDULE_STATUS[scheduled.status];
  const amount = formatMoney(scheduled.amount.amount, scheduled.amount.currency);
  const outcome = describeLastOutcome(scheduled.lastOutcome);
  return (
    <Card withBorder component="li" padding="sm" data-testid="scheduled-payment">
      <Group justify="space-between" align="flex-start" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Text fw={600}>
              {amount} to {scheduled.counterparty.name}
            </Text>
            <Badge color={status.color} variant="light">
              {status.label}
            </Badge>
          </Group>
          <Text size="sm">{describeSchedule(scheduled)}</Text>
          <Text size="sm" c="dimmed">
            {describeNextRun(scheduled)} · paid {scheduled.runs} time{scheduled.runs === 1 ? '' : 's'}
            {scheduled.description ? ` · “${scheduled.description}”` : ''}
          </Text>
          {outcome && (
            <Text size="sm" c="dimmed">
              {scheduled.lastPayment ? (
                <AnchorLink to="/payments/$paymentId" params={{ paymentId: scheduled.lastPayment.id }} inherit>
                  {outcome}
                </AnchorLink>
              ) : (
                outcome
              )}
            </Text>
          )}
        </Stack>
        {scheduled.status === 'ACTIVE' && (
          <Button variant="light" color="red" size="xs" onClick={onCancel} loading={canceling} aria-label={`Cancel the scheduled payment of ${amount} to ${scheduled.counterparty.name}`}>
            Cancel
          </Button>
        )}
      </Group>
    </Card>
  );
}

/** Payments that run later, once or again and again: the list (cancel any that is active) and a form to set one up. */
export function ScheduledPaymentsScreen() {
  const queryClient = useQueryClient();
  const accounts = useAccounts();
  const saved = useSavedDestinations();
  const scheduled = useMeridianQuery(ScheduledPaymentsDocument, {}, { staleTime: 0 });
  // What last changed, said in the page (a polite live region) rather than in a toast that disappears.
  const [notice, setNotice] = useState<string>();
  const cancel = useMeridianMutation(CancelScheduledPaymentDocument, {
    onSuccess: async (data) => {
      setNotice(`Cancelled: the payment to ${data.cancelScheduledPayment.counterparty.name} will not run again.`);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(ScheduledPaymentsDocument) });
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: meridianQueryKey(ScheduledPaymentsDocument) }),
  });
  const list = scheduled.data?.me.scheduledPayments ?? [];
  // Active ones first, each group oldest first as the API lists them.
  const ordered = [...list.filter((s) => s.status === 'ACTIVE'), ...list.filter((s) => s.status !== 'ACTIVE')];
  const error = scheduled.error ?? accounts.error ?? saved.error;
  const active = accounts.data?.me.accounts.filter((a) => a.status === 'ACTIVE') ?? [];

  return (
    <PaymentsPage loadError={error} notice={notice} title="Scheduled payments" intro="Payments that go later: once on a date, or every week or month.">
      {scheduled.isPending && !error && <Loading label="Loading your scheduled payments" />}
      {cancel.error && (
        <Alert color="red" role="alert" title="Not cancelled">
          {errorMessage(cancel.error, { CONFLICT: 'It has already stopped: it was cancelled or has finished.', NOT_FOUND: 'This scheduled payment no longer exists.' })}
        </Alert>
      )}
      {scheduled.data &&
        (ordered.length === 0 ? (
          <Text c="dimmed">Nothing is scheduled.</Text>
        ) : (
          <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Scheduled payments">
            {ordered.map((s) => (
              <ScheduledCard key={s.id} scheduled={s} canceling={cancel.isPending && cancel.variables?.id === s.id} onCancel={() => cancel.mutate({ id: s.id })} />
            ))}
          </Stack>
        ))}
      {accounts.data && saved.data && active.length > 0 && (
        <Paper withBorder p="lg">
          <Title order={2} size="h3" mb="sm">
            Schedule a payment
          </Title>
          <ScheduledPaymentForm
            accounts={accounts.data.me.accounts}
            payees={saved.data.me.payees}
          />
        </Paper>
      )}
    </PaymentsPage>
  );
}
