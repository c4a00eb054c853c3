import { Alert, Badge, Box, Button, Card, Group, Modal, Progress, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { DeleteGoalDocument, GoalsDocument, type GoalsQuery } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation, useMeridianQuery } from '../api/use-meridian';
import { useAccounts, type AccountSummary } from '../accounts/use-accounts';
import { ButtonLink } from '../layout/router-links';
import { formatMoney } from '../money/format-money';
import { CARD_GRID_STYLE } from './card-grid';
import { GoalForm } from './goal-form';
import { InsightsHeader } from './insights-header';
import { formatDay, formatShare } from './insights-format';
import { LoadFailed, Loading } from '../layout/load-states';

type Goal = NonNullable<GoalsQuery['me']['insights']>['goals'][number];

/** A goal: how far along, what is left, the pace to keep, where it saves. */
function GoalCard({ goal, account, onEdit, onDelete }: { goal: Goal; account: AccountSummary | undefined; onEdit: () => void; onDelete: () => void }) {
  const progress = Math.min(goal.progressBasisPoints, 10_000) / 100;
  return (
    <Card withBorder component="li" data-testid="goal" aria-labelledby={`goal-${goal.id}`}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={2} size="h4" id={`goal-${goal.id}`}>
            {goal.name}
          </Title>
          {goal.reached && (
            <Badge color="green" variant="light">
              Reached
            </Badge>
          )}
        </Group>
        <Text size="sm">
          {formatMoney(goal.saved.amount, goal.saved.currency)} saved of {formatMoney(goal.target.amount, goal.target.currency)}
        </Text>
        <Progress.Root size="lg">
          <Progress.Section value={progress} color={goal.reached ? 'green.9' : 'blue.8'} aria-label={`${goal.name}: ${formatShare(goal.progressBasisPoints)} saved`} />
        </Progress.Root>
        {!goal.reached && (
          <Text size="sm" fw={600}>
            {formatMoney(goal.remaining.amount, goal.remaining.currency)} to go
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {goal.targetDate ? `By ${formatDay(goal.targetDate)}` : 'No target date'}
          {goal.monthlyNeeded && !goal.reached ? ` · save ${formatMoney(goal.monthlyNeeded.amount, goal.monthlyNeeded.currency)} a month to get there` : ''}
          {` · in ${account?.name ?? 'one of your accounts'}`}
        </Text>
        <Group gap="xs">
          <ButtonLink to="/transfer" size="xs" variant="light" aria-label={`Add money to ${goal.name} (move money into ${account?.name ?? 'its account'})`}>
            Add money
          </ButtonLink>
          <Button size="xs" variant="default" onClick={onEdit} aria-label={`Change ${goal.name}`}>
            Change
          </Button>
          <Button size="xs" variant="light" color="red" onClick={onDelete} aria-label={`Delete ${goal.name}`}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** Asks before deleting a goal (`deleteGoal`); the money stays in its account. */
function DeleteGoalDialog({ goal, onClose }: { goal: Goal | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const deleting = useMeridianMutation(DeleteGoalDocument, {
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(GoalsDocument) });
      notifications.show({ color: 'green', title: 'Goal deleted', message: `${goal?.name ?? 'The goal'} is gone; its money stays in its account.` });
      onClose();
    },
  });
  const close = () => {
    deleting.reset();
    onClose();
  };
  return (
    <Modal opened={!!goal} onClose={close} title={goal ? `Delete ${goal.name}?` : ''} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm">The money you saved stays in its account; only the goal goes.</Text>
        {deleting.error && (
          <Alert color="red" role="alert" title="Not deleted">
            {errorMessage(deleting.error, { NOT_FOUND: 'This goal was already deleted.' })}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Keep it
          </Button>
          <Button color="red" loading={deleting.isPending} onClick={() => goal && deleting.mutate({ id: goal.id })}>
            Delete the goal
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * Savings goals (`goals`), each saved in one of the customer's accounts whose
 * balance is the progress: add, change and delete them. Adding money is
 * moving money into that account.
 */
export function GoalsScreen() {
  const goals = useMeridianQuery(GoalsDocument, {});
  const accounts = useAccounts();
  const list = goals.data?.me.insights?.goals;
  const byId = new Map((accounts.data?.me.accounts ?? []).map((a) => [a.id, a]));
  const [editing, setEditing] = useState<Goal | 'new'>();
  const [deleting, setDeleting] = useState<Goal>();
  const closeForm = () => setEditing(undefined);
  return (
    <Stack>
      <InsightsHeader
        title="Savings goals"
        description="Something to save for, in one of your accounts: its balance is what you have saved."
        actions={
          <Button onClick={() => setEditing('new')} disabled={!accounts.data}>
            Add a goal
          </Button>
        }
      />
      {(goals.error || accounts.error) && <LoadFailed title="Your goals could not be loaded" message={errorMessage(goals.error ?? accounts.error)} onRetry={() => void Promise.all([goals.refetch(), accounts.refetch()])} />}
      {goals.isPending && <Loading label="Loading your goals" />}
      {list && list.length === 0 && <Text>No goals yet. Add one to watch your savings grow towards it.</Text>}
      {list && list.length > 0 && (
        <Box component="ul" p={0} m={0} style={CARD_GRID_STYLE} aria-label="Goals">
          {list.map((goal) => (
            <GoalCard key={goal.id} goal={goal} account={byId.get(goal.accountId)} onEdit={() => setEditing(goal)} onDelete={() => setDeleting(goal)} />
          ))}
        </Box>
      )}
      <Modal opened={editing !== undefined} onClose={closeForm} title={editing === 'new' ? 'Add a goal' : 'Change the goal'} centered closeButtonProps={{ 'aria-label': 'Close' }}>
        {editing !== undefined && accounts.data && (
          <GoalForm
            accounts={accounts.data.me.accounts}
            goal={editing === 'new' ? undefined : editing}
            onCancel={closeForm}
            onSaved={(saved) => {
              notifications.show({ color: 'green', title: 'Goal saved', message: `${saved.name}: ${formatMoney(saved.target.amount, saved.target.currency)} to reach.` });
              closeForm();
            }}
          />
        )}
      </Modal>
      <DeleteGoalDialog goal={deleting} onClose={() => setDeleting(undefined)} />
    </Stack>
  );
}
