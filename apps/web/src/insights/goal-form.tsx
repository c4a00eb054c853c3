import { Button, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { isMeridianError } from '@meridian/client';
import { CreateGoalDocument, GoalsDocument, UpdateGoalDocument, type GoalsQuery, type SavingsGoalPartsFragment } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, refusedField, showOnField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { isCalendarDate } from '../accounts/history-filter';
import type { AccountSummary } from '../accounts/use-accounts';
import { parseAmountInput } from '../money/format-money';
import { AMOUNT_PROBLEMS } from './amount-problems';
import { localDay } from './insights-period';
import { FormActions } from '../layout/form-actions';

type Goal = NonNullable<GoalsQuery['me']['insights']>['goals'][number];

/** Insights' rule for goal names: 1 to 60 characters, no control characters. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The fields a refusal can name that this form shows. */
const FORM_FIELDS = new Set(['name', 'targetAmount', 'targetDate', 'accountId']);

/** Props of {@link GoalForm}. */
export interface GoalFormProps {
  /** The customer's accounts; a new goal saves in an open one. */
  accounts: AccountSummary[];
  /** Set to change this goal; absent to make a new one. */
  goal?: Goal;
  /** Today, local; a target date must come after it. Default now. */
  today?: Date;
  onSaved: (goal: SavingsGoalPartsFragment) => void;
  onCancel?: () => void;
}

/**
 * Makes a savings goal (`createGoal`: a name, an amount to reach in the
 * account's currency, an optional day to reach it by, and the account whose
 * balance counts as saved) or changes one (`updateGoal`; its account stays).
 */
export function GoalForm({ accounts, goal, today = new Date(), onSaved, onCancel }: GoalFormProps) {
  const queryClient = useQueryClient();
  const open = accounts.filter((a) => a.status === 'ACTIVE');
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const form = useForm({
    initialValues: { name: goal?.name ?? '', accountId: goal?.accountId ?? '', targetAmount: goal?.target.amount ?? '', targetDate: goal?.targetDate ?? '' },
    validate: {
      name: (value) => {
        const name = value.trim();
        if (!name) return 'Give the goal a name.';
        if (name.length > 60) return 'Use at most 60 characters.';
        return CONTROL.test(name) ? 'Use letters, digits, spaces and punctuation only.' : null;
      },
      accountId: (value) => (goal || byId.has(value) ? null : 'Choose the account you save in.'),
      targetAmount: (value, values) => {
        const currency = goal?.target.currency ?? byId.get(values.accountId)?.currency;
        if (!currency) return null;
        const parsed = parseAmountInput(value, currency);
        return 'problem' in parsed ? AMOUNT_PROBLEMS[parsed.problem] : null;
      },
      targetDate: (value) => {
        if (!value) return null;
        if (!isCalendarDate(value)) return 'Enter a date.';
        return value <= localDay(today) ? 'Choose a day after today.' : null;
      },
    },
  });
  const currency = goal?.target.currency ?? byId.get(form.values.accountId)?.currency;
  const onSuccess = async (saved: SavingsGoalPartsFragment) => {
    await queryClient.invalidateQueries({ queryKey: meridianQueryKey(GoalsDocument) });
    onSaved(saved);
  };
  const onError = (error: unknown) => {
    showOnField(form, FORM_FIELDS)(error);
    // A new goal's account that insights cannot find: said under the account.
    if (!goal && isMeridianError(error, 'NOT_FOUND')) form.setFieldError('accountId', 'This account could not be found. It may have been closed: choose another.');
  };
  const creating = useMeridianMutation(CreateGoalDocument, { onSuccess: (data) => onSuccess(data.createGoal), onError });
  const updating = useMeridianMutation(UpdateGoalDocument, { onSuccess: (data) => onSuccess(data.updateGoal), onError });
  const saving = goal ? updating : creating;
  const shownByField = refusedField(saving.error, FORM_FIELDS) !== undefined || (!goal && isMeridianError(saving.error, 'NOT_FOUND'));
  const refusal =
    saving.error && !shownByField
      ? errorMessage(saving.error, { NOT_FOUND: 'This goal no longer exists. It may have been deleted elsewhere.', FORBIDDEN: 'Your sign-in does not allow changing goals.' })
      : undefined;

  const submit = form.onSubmit((values) => {
    if (!currency) return;
    const parsed = parseAmountInput(values.targetAmount, currency);
    if ('problem' in parsed) return;
    const name = values.name.trim();
    if (goal) {
      const clearTargetDate = !values.targetDate && goal.targetDate !== null;
      updating.mutate({
        id: goal.id,
        input: { name, targetAmount: parsed.amount, ...(values.targetDate ? { targetDate: values.targetDate } : {}), ...(clearTargetDate ? { clearTargetDate } : {}) },
      });
    } else {
      creating.mutate({ input: { name, targetAmount: parsed.amount, accountId: values.accountId, ...(values.targetDate ? { targetDate: values.targetDate } : {}) } });
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Name" description="What you are saving for, up to 60 characters" maxLength={60} required {...form.getInputProps('name')} />
        {goal ? (
          <Text size="sm">Saved in {byId.get(goal.accountId)?.name ?? 'one of your accounts'}: its balance is what you have saved.</Text>
        ) : (
          <Select
            label="Saved in"
            description="The account's balance counts as saved."
            placeholder="Choose an account"
            data={open.map((a) => ({ value: a.id, label: `${a.name} · ${a.currency}` }))}
            required
            allowDeselect={false}
            nothingFoundMessage="You have no open account"
            {...form.getInputProps('accountId')}
          />
        )}
        <TextInput
          label="Amount to reach"
          inputMode="decimal"
          autoComplete="off"
          required
          rightSection={currency ? <Text size="sm">{currency}</Text> : undefined}
          rightSectionWidth={48}
          {...form.getInputProps('targetAmount')}
        />
        <TextInput type="date" label="Reach it by" description="Optional" min={localDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1))} {...form.getInputProps('targetDate')} />
        <FormActions refusal={refusal} refusalTitle="Not saved" onCancel={onCancel}>
          <Button type="submit" loading={saving.isPending}>
            {goal ? 'Save the goal' : 'Add the goal'}
          </Button>
        </FormActions>
      </Stack>
    </form>
  );
}
