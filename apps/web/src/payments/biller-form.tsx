import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { CreateBillerDocument, SavedDestinationsDocument, type CreateBillerMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, type ErrorMessages, refusedField, showOnField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { extensionOf } from './payment-refusals';
import { destinationNameError } from './saved-destination-checks';

interface BillerValues {
  name: string;
  billerCode: string;
  reference: string;
}

const FIELDS = new Set(['name', 'billerCode', 'reference']);

const MESSAGES: ErrorMessages = {
  CONFLICT: (error) =>
    extensionOf(error, 'reason') === 'TOO_MANY' ? `You can keep ${String(error.errors[0]?.extensions?.limit ?? 50)} billers. Remove one you no longer pay first.` : error.message,
  FORBIDDEN: 'Your sign-in does not allow adding billers.',
};

/** Saves a biller: its name, its code in the bill-payment scheme, and the customer's reference with it. */
export function BillerForm({ onAdded }: { onAdded?: (biller: CreateBillerMutation['createBiller']) => void }) {
  const queryClient = useQueryClient();
  const form = useForm<BillerValues>({
    initialValues: { name: '', billerCode: '', reference: '' },
    validate: {
      name: destinationNameError,
      billerCode: (value) => (/^[A-Za-z0-9]{3,20}$/.test(value.trim()) ? null : 'Enter the biller code from your bill: 3 to 20 letters and digits.'),
      reference: (value) => {
        const reference = value.trim();
        if (!reference) return 'Enter your reference with the biller, such as your customer number.';
        if ([...reference].length > 40) return 'Use at most 40 characters.';
        return /[\p{Cc}\p{Cf}]/u.test(reference) ? 'Use letters, digits, spaces and punctuation only.' : null;
      },
    },
  });
  const create = useMeridianMutation(CreateBillerDocument, {
    onSuccess: async (data) => {
      form.reset();
      onAdded?.(data.createBiller);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(SavedDestinationsDocument) });
    },
    onError: showOnField(form, FIELDS),
  });
  const refusal = create.error && !refusedField(create.error, FIELDS) ? errorMessage(create.error, MESSAGES) : undefined;

  return (
    <form
      onSubmit={form.onSubmit((values) =>
        create.mutate({ input: { name: values.name.trim(), billerCode: values.billerCode.trim().toUpperCase(), reference: values.reference.trim() } }),
      )}
      noValidate
      aria-label="Add a biller"
    >
      <Stack>
        <TextInput label="Biller's name" maxLength={70} required autoComplete="off" {...form.getInputProps('name')} />
        <TextInput label="Biller code" description="On your bill" autoComplete="off" required {...form.getInputProps('billerCode')} />
        <TextInput label="Your reference" description="Your customer or account number with them" maxLength={40} autoComplete="off" required {...form.getInputProps('reference')} />
        {refusal && (
          <Alert color="red" role="alert" title="Biller not added">
            {refusal}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Add biller
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
