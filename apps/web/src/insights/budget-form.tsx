import { Button, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { BudgetsDocument, SetBudgetDocument, type CurrencyCode, type SetBudgetMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, refusedField, showOnField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { parseAmountInput } from '../money/format-money';
import { AMOUNT_PROBLEMS } from './amount-problems';
import { categoryName, categoryOptions, useCategories, type CategoryRef } from './use-categories';
import { FormActions } from '../layout/form-actions';

/** A budget being changed: its category and currency stay, the amount may change. */
export interface BudgetToEdit {
  category: CategoryRef;
  amount: { amount: string; currency: CurrencyCode };
}

/** Props of {@link BudgetForm}. */
export interface BudgetFormProps {
  /** The currencies offered for a new budget (the customer's). */
  currencies: CurrencyCode[];
  /** The currency chosen at first for a new budget. */
  defaultCurrency: CurrencyCode;
  /** Set to change this budget's amount; absent to make a new one. */
  budget?: BudgetToEdit;
  onSaved: (budget: SetBudgetMutation['setBudget']) => void;
  onCancel?: () => void;
}

/** The fields a refusal can name that this form shows. */
const FORM_FIELDS = new Set(['category', 'amount', 'currency']);

/**
 * Sets a monthly budget (`setBudget`): a category (primary or detailed),
 * an amount and its currency. Setting one for a category that has one
 * replaces it, so editing is the same call with the category kept.
 */
export function BudgetForm({ currencies, defaultCurrency, budget, onSaved, onCancel }: BudgetFormProps) {
  const queryClient = useQueryClient();
  const categories = useCategories();
  const form = useForm({
    initialValues: {
      category: budget?.category.id ?? '',
      currency: (budget?.amount.currency ?? defaultCurrency) as string,
      amount: budget?.amount.amount ?? '',
    },
    validate: {
      category: (value) => (value ? null : 'Choose what the budget is for.'),
      currency: (value) => (value ? null : 'Choose a currency.'),
      amount: (value, values) => {
        if (!values.currency) return null;
        const parsed = parseAmountInput(value, values.currency);
        return 'problem' in parsed ? AMOUNT_PROBLEMS[parsed.problem] : null;
      },
    },
  });
  const saving = useMeridianMutation(SetBudgetDocument, {
    onSuccess: async (data) => {
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(BudgetsDocument) });
      onSaved(data.setBudget);
    },
    onError: showOnField(form, FORM_FIELDS),
  });
  const refusal = saving.error && !refusedField(saving.error, FORM_FIELDS) ? errorMessage(saving.error, { FORBIDDEN: 'Your sign-in does not allow changing budgets.' }) : undefined;

  const submit = form.onSubmit((values) => {
    const parsed = parseAmountInput(values.amount, values.currency);
    if ('problem' in parsed) return;
    saving.mutate({ input: { category: values.category, amount: parsed.amount, currency: values.currency as CurrencyCode } });
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {budget ? (
          <Text>
            Monthly budget for <strong>{categoryName(budget.category)}</strong> in {budget.amount.currency}
          </Text>
        ) : (
          <>
            <Select
              label="Category"
              placeholder={categories.isPending ? 'Loading the categories…' : 'Choose a category'}
              data={categories.data ? categoryOptions(categories.data.categories) : []}
              searchable
              required
              allowDeselect={false}
              nothingFoundMessage="No category has that name"
              error={categories.error ? errorMessage(categories.error) : undefined}
              {...form.getInputProps('category')}
            />
            <Select label="Currency" data={currencies} required allowDeselect={false} {...form.getInputProps('currency')} />
          </>
        )}
        <TextInput
          label="Each month"
          inputMode="decimal"
          autoComplete="off"
          required
          rightSection={<Text size="sm">{form.values.currency}</Text>}
          rightSectionWidth={48}
          {...form.getInputProps('amount')}
        />
        <FormActions refusal={refusal} refusalTitle="Not saved" onCancel={onCancel}>
          <Button type="submit" loading={saving.isPending}>
            {budget ? 'Save the budget' : 'Add the budget'}
          </Button>
        </FormActions>
      </Stack>
    </form>
  );
}
