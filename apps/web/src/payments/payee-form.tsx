import { Alert, Button, Group, Radio, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { CreatePayeeDocument, SavedDestinationsDocument, type CreatePayeeInput, type CreatePayeeMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, type ErrorMessages, refusedField, showOnField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { compactIban, destinationNameError, isPlausibleBic, isPlausibleIban, isSortCode, isUkAccountNumber } from './saved-destination-checks';
import { extensionOf } from './payment-refusals';

type Scheme = 'UK_SORT_CODE' | 'IBAN';

interface PayeeValues {
  name: string;
  scheme: Scheme;
  sortCode: string;
  accountNumber: string;
  iban: string;
  bic: string;
}

const FIELDS = new Set(['name', 'sortCode', 'accountNumber', 'iban', 'bic']);

const MESSAGES: ErrorMessages = {
  STEP_UP_REQUIRED: 'Adding a payee needs you to confirm it is you with a second factor, because a new payee is where a stolen session would send money. Press “Add payee” to try again.',
  CONFLICT: (error) =>
    extensionOf(error, 'reason') === 'TOO_MANY' ? `You can keep ${String(error.errors[0]?.extensions?.limit ?? 50)} payees. Remove one you no longer pay first.` : error.message,
  FORBIDDEN: 'Your sign-in does not allow adding payees.',
};

/** Props of {@link PayeeForm}. */
export interface PayeeFormProps {
  onAdded?: (payee: CreatePayeeMutation['createPayee']) => void;
}

/**
 * Saves a payee: a UK sort code and account number, or an IBAN with an
 * optional BIC. The API asks for a recent second factor (the step-up dialog
 * opens) because a new payee is where a stolen session would send money.
 */
export function PayeeForm({ onAdded }: PayeeFormProps) {
  const queryClient = useQueryClient();
  const form = useForm<PayeeValues>({
    initialValues: { name: '', scheme: 'UK_SORT_CODE', sortCode: '', accountNumber: '', iban: '', bic: '' },
    validate: {
      name: destinationNameError,
      sortCode: (value, values) => (values.scheme === 'UK_SORT_CODE' && !isSortCode(value) ? 'Enter the six-digit sort code, such as 12-34-56.' : null),
      accountNumber: (value, values) => (values.scheme === 'UK_SORT_CODE' && !isUkAccountNumber(value) ? 'Enter the eight-digit account number.' : null),
      iban: (value, values) => (values.scheme === 'IBAN' && !isPlausibleIban(value) ? 'This is not a valid IBAN: check it against the payee’s bank details.' : null),
      bic: (value, values) => (values.scheme === 'IBAN' && value.trim() && !isPlausibleBic(value) ? 'A BIC has 8 or 11 letters and digits, such as NWBKGB2L.' : null),
    },
  });
  const create = useMeridianMutation(CreatePayeeDocument, {
    onSuccess: async (data) => {
      form.reset();
      onAdded?.(data.createPayee);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(SavedDestinationsDocument) });
    },
    onError: showOnField(form, FIELDS),
  });
  const refusal = create.error && !refusedField(create.error, FIELDS) ? errorMessage(create.error, MESSAGES) : undefined;

  const submit = form.onSubmit((values) => {
    const input: CreatePayeeInput =
      values.scheme === 'IBAN'
        ? { name: values.name.trim(), iban: compactIban(values.iban), ...(values.bic.trim() ? { bic: values.bic.replace(/\s+/g, '').toUpperCase() } : {}) }
        : { name: values.name.trim(), sortCode: values.sortCode.trim(), accountNumber: values.accountNumber.replace(/\s/g, '') };
    create.mutate({ input });
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Add a payee">
      <Stack>
        <TextInput label="Payee's name" description="As their bank knows them" maxLength={70} required autoComplete="off" {...form.getInputProps('name')} />
        <Radio.Group label="Their bank account" required {...form.getInputProps('scheme')}>
          <Group mt="xs">
            <Radio value="UK_SORT_CODE" label="UK sort code and account number" />
            <Radio value="IBAN" label="IBAN" />
          </Group>
        </Radio.Group>
        {form.values.scheme === 'UK_SORT_CODE' ? (
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput label="Sort code" inputMode="numeric" autoComplete="off" required {...form.getInputProps('sortCode')} />
            <TextInput label="Account number" inputMode="numeric" autoComplete="off" required {...form.getInputProps('accountNumber')} />
          </SimpleGrid>
        ) : (
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput label="IBAN" autoComplete="off" required {...form.getInputProps('iban')} />
            <TextInput label="BIC" description="Optional" autoComplete="off" {...form.getInputProps('bic')} />
          </SimpleGrid>
        )}
        {refusal && (
          <Alert color="red" role="alert" title="Payee not added">
            {refusal}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Add payee
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
