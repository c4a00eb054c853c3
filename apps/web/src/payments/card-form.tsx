import { Alert, Button, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { AddCardDocument, SavedDestinationsDocument, type AddCardMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorField, errorMessage, type ErrorMessages } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { extensionOf } from './payment-refusals';
import { isAmericanExpress, isPlausibleCardNumber } from './saved-destination-checks';

interface CardValues {
  number: string;
  expMonth: string;
  expYear: string;
  cvc: string;
}

const MONTHS = Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: String(i + 1).padStart(2, '0') }));

const MESSAGES: ErrorMessages = {
  CONFLICT: (error) =>
    extensionOf(error, 'reason') === 'TOO_MANY' ? `You can keep ${String(error.errors[0]?.extensions?.limit ?? 10)} cards. Remove one first.` : error.message,
  SERVICE_UNAVAILABLE: 'The card could not be checked just now, and nothing was saved. Try again in a moment.',
  FORBIDDEN: 'Your sign-in does not allow adding cards.',
};

/** What is wrong with an expiry month and year (two or four digits), or null when the card is still valid this month. */
export function cardExpiryProblem(month: string, year: string, now = new Date()): string | null {
  const m = Number(month);
  const text = year.trim();
  if (!/^\d{2}$|^\d{4}$/.test(text) || !(m >= 1 && m <= 12)) return 'Enter the expiry month and year shown on the card.';
  const y = text.length === 2 ? 2000 + Number(text) : Number(text);
  const current = now.getFullYear() * 12 + now.getMonth() + 1;
  return y * 12 + m < current ? 'This card has expired.' : null;
}

/**
 * Saves a card to top up from. Its number and security code go to the
 * payment provider through the API and are never kept by Meridian; only the
 * brand, the last four digits and the expiry come back.
 */
export function CardForm({ onAdded }: { onAdded?: (card: AddCardMutation['addCard']) => void }) {
  const queryClient = useQueryClient();
  const form = useForm<CardValues>({
    initialValues: { number: '', expMonth: '', expYear: '', cvc: '' },
    validate: {
      number: (value) => (isPlausibleCardNumber(value) ? null : 'This is not a valid card number: check the long number on the card.'),
      expYear: (value, values) => cardExpiryProblem(values.expMonth, value),
      cvc: (value, values) => {
        const digits = isAmericanExpress(values.number) ? 4 : 3;
        return new RegExp(`^\\d{${digits}}$`).test(value.trim()) ? null : `Enter the ${digits}-digit security code.`;
      },
    },
  });
  const add = useMeridianMutation(AddCardDocument, {
    onSuccess: async (data) => {
      form.reset();
      onAdded?.(data.addCard);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(SavedDestinationsDocument) });
    },
    onError: (error) => {
      const field = formFieldOf(errorField(error));
      if (field) form.setFieldError(field, errorMessage(error));
    },
  });
  const refusal = add.error && !formFieldOf(errorField(add.error)) ? errorMessage(add.error, MESSAGES) : undefined;

  const submit = form.onSubmit((values) => {
    const year = values.expYear.trim();
    add.mutate({
      input: { number: values.number.replace(/[\s-]/g, ''), expMonth: Number(values.expMonth), expYear: year.length === 2 ? 2000 + Number(year) : Number(year), cvc: values.cvc.trim() },
    });
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Add a card">
      <Stack>
        <TextInput label="Card number" inputMode="numeric" autoComplete="cc-number" required {...form.getInputProps('number')} />
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          <Select label="Expiry month" placeholder="MM" data={MONTHS} required allowDeselect={false} {...form.getInputProps('expMonth')} />
          <TextInput label="Expiry year" placeholder="YYYY" inputMode="numeric" autoComplete="cc-exp-year" required {...form.getInputProps('expYear')} />
          <TextInput label="Security code" inputMode="numeric" autoComplete="cc-csc" required {...form.getInputProps('cvc')} />
        </SimpleGrid>
        {refusal && (
          <Alert color="red" role="alert" title="Card not added">
            {refusal}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={add.isPending}>
            Add card
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The form field for an API field (`expiry` is shown under the year). */
function formFieldOf(field: string | undefined): keyof CardValues | undefined {
  if (field === 'number' || field === 'cvc') return field;
  return field === 'expiry' ? 'expYear' : undefined;
}
