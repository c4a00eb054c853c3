import { Alert, Badge, Box, Button, Card, Group, Modal, Progress, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { BudgetsDocument, DeleteBudgetDocument, type BudgetsQuery } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation, useMeridianQuery } from '../api/use-meridian';
import { formatMoney } from '../money/format-money';
import { BudgetForm } from './budget-form';
import { CARD_GRID_STYLE } from './card-grid';
import { InsightsHeader } from './insights-header';
import { absoluteAmount, isNegative, progressPercent } from './insights-format';
import { categoryName } from './use-categories';
import { useHeldCurrencies } from './use-held-currencies';
import { LoadFailed, Loading } from '../layout/load-states';

type Budget = NonNullable<BudgetsQuery['me']['insights']>['budgets'][number];

/** Where a budget stands this month, in words and as a bar. */
function BudgetCard({ budget, onEdit, onDelete }: { budget: Budget; onEdit: () => void; onDelete: () => void }) {
  const name = categoryName(budget.category);
  const spent = progressPercent(budget.spent, budget.amount);
  const over = isNegative(budget.remaining);
  const color = budget.overBudget ? 'red.8' : budget.projectedOver ? 'orange.8' : 'blue.8';
  return (
    <Card withBorder component="li" data-testid="budget" aria-labelledby={`budget-${budget.category.id}-${budget.amount.currency}`}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={2} size="h4" id={`budget-${budget.category.id}-${budget.amount.currency}`}>
            {name}
          </Title>
          {budget.overBudget ? (
            <Badge color="red" variant="light">
              Over budget
            </Badge>
          ) : (
            budget.projectedOver && (
              <Badge color="orange" variant="light">
                Heading over
              </Badge>
            )
          )}
        </Group>
        <Text size="sm">
          {formatMoney(budget.spent.amount, budget.spent.currency)} spent of {formatMoney(budget.amount.amount, budget.amount.currency)} this month
        </Text>
        <Progress.Root size="lg">
          <Progress.Section value={spent} color={color} aria-label={`${name}: ${spent}% of the budget spent`} />
        </Progress.Root>
        <Text size="sm" fw={600} c={over ? 'red.9' : undefined}>
          {over ? `Over by ${formatMoney(absoluteAmount(budget.remaining).amount, budget.remaining.currency)}` : `${formatMoney(budget.remaining.amount, budget.remaining.currency)} left`}
        </Text>
        <Text size="xs" c="dimmed">
          At this pace, {formatMoney(budget.projectedMonthEnd.amount, budget.projectedMonthEnd.currency)} by the end of the month.
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="light" onClick={onEdit} aria-label={`Change the budget for ${name}`}>
            Change
          </Button>
          <Button size="xs" variant="light" color="red" onClick={onDelete} aria-label={`Remove the budget for ${name}`}>
            Remove
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** Asks before removing a budget (`deleteBudget`). */
function DeleteBudgetDialog({ budget, onClose }: { budget: Budget | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const removing = useMeridianMutation(DeleteBudgetDocument, {
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(BudgetsDocument) });
      notifications.show({ color: 'green', title: 'Budget removed', message: `The budget for ${budget ? categoryName(budget.category) : 'that category'} is gone.` });
      onClose();
    },
  });
  const close = () => {
    removing.reset();
    onClose();
  };
  return (
    <Modal opened={!!budget} onClose={close} title={budget ? `Remove the budget for ${categoryName(budget.category)}?` : ''} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm">Your spending in the category stays as it is; only the budget goes.</Text>
        {removing.error && (
          <Alert color="red" role="alert" title="Not removed">
            {errorMessage(removing.error, { NOT_FOUND: 'This budget was already removed.' })}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Keep it
          </Button>
          <Button color="red" loading={removing.isPending} onClick={() => budget && removing.mutate({ category: budget.category.id, currency: budget.amount.currency })}>
            Remove the budget
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Monthly budgets with this month's progress (`budgets`): add one, change its amount, remove it. */
export function BudgetsScreen() {
  const { held, preferred } = useHeldCurrencies();
  const budgets = useMeridianQuery(BudgetsDocument, {});
  const list = budgets.data?.me.insights?.budgets;
  const [editing, setEditing] = useState<Budget | 'new'>();
  const [deleting, setDeleting] = useState<Budget>();
  const closeForm = () => setEditing(undefined);
  return (
    <Stack>
      <InsightsHeader
        title="Budgets"
        description="A monthly amount for a category, and how this month is going."
        actions={<Button onClick={() => setEditing('new')}>Add a budget</Button>}
      />
      {budgets.error && <LoadFailed title="Your budgets could not be loaded" message={errorMessage(budgets.error)} onRetry={() => void budgets.refetch()} />}
      {budgets.isPending && <Loading label="Loading your budgets" />}
      {list && list.length === 0 && <Text>No budgets yet. Add one to see how each month is going.</Text>}
      {list && list.length > 0 && (
        <Box component="ul" p={0} m={0} style={CARD_GRID_STYLE} aria-label="Budgets">
          {list.map((budget) => (
            <BudgetCard key={`${budget.category.id}:${budget.amount.currency}`} budget={budget} onEdit={() => setEditing(budget)} onDelete={() => setDeleting(budget)} />
          ))}
        </Box>
      )}
      <Modal opened={editing !== undefined} onClose={closeForm} title={editing === 'new' ? 'Add a budget' : 'Change the budget'} centered closeButtonProps={{ 'aria-label': 'Close' }}>
        {editing !== undefined && (
          <BudgetForm
            currencies={held.length > 0 ? held : [preferred]}
            defaultCurrency={preferred}
            budget={editing === 'new' ? undefined : editing}
            onCancel={closeForm}
            onSaved={(saved) => {
              notifications.show({ color: 'green', title: 'Budget saved', message: `${formatMoney(saved.amount.amount, saved.amount.currency)} a month for ${categoryName(saved.category)}.` });
              closeForm();
            }}
          />
        )}
      </Modal>
      <DeleteBudgetDialog budget={deleting} onClose={() => setDeleting(undefined)} />
    </Stack>
  );
}
