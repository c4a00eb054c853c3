import { Alert, Button, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { AccountsDocument, OpenAccountDocument, type AccountType, type CurrencyCode, type OpenAccountMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage, refusedField, showOnField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';

/** The types a customer may open (loans are opened by the bank). */
const TYPES: { value: Exclude<AccountType, 'LOAN'>; label: string }[] = [
  { value: 'CURRENT', label: 'Current account' },
  { value: 'SAVINGS', label: 'Savings' },
  { value: 'WALLET', label: 'Wallet' },
];

const CURRENCIES: { value: CurrencyCode; label: string }[] = [
  { value: 'GBP', label: 'GBP · Pound sterling' },
  { value: 'EUR', label: 'EUR · Euro' },
  { value: 'USD', label: 'USD · US dollar' },
  { value: 'INR', label: 'INR · Indian rupee' },
  { value: 'JPY', label: 'JPY · Japanese yen' },
];

/** Banking's rule for names: 1 to 60 printable characters (no control or format characters). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;
/** The fields that show their own refusals. */
const FORM_FIELDS = new Set(['name', 'type', 'currency']);

/** Props of {@link OpenAccountForm}. */
export interface OpenAccountFormProps {
  onOpened: (account: OpenAccountMutation['openAccount']) => void;
}

/** Opens an account: its type, its currency (fixed for good) and an optional name. */
export function OpenAccountForm({ onOpened }: OpenAccountFormProps) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { type: '' as string, currency: '' as string, name: '' },
    validate: {
      type: (value) => (value ? null : 'Choose what the account is for.'),
      currency: (value) => (value ? null : 'Choose the currency it holds.'),
      name: (value) => {
        const name = value.trim();
        if (!name) return null;
        if (name.length > 60) return 'Use at most 60 characters.';
        return UNPRINTABLE.test(name) ? 'Use letters, digits, spaces and punctuation only.' : null;
      },
    },
  });
  const opening = useMeridianMutation(OpenAccountDocument, {
    onSuccess: async (data) => {
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(AccountsDocument) });
      onOpened(data.openAccount);
    },
    onError: showOnField(form, FORM_FIELDS),
  });
  const refusal =
    opening.error && !refusedField(opening.error, FORM_FIELDS)
      ? errorMessage(opening.error, { FORBIDDEN: 'This kind of account is opened by the bank. Choose a current account, savings or a wallet.' })
      : undefined;

  return (
    <form
      onSubmit={form.onSubmit((values) =>
        opening.mutate({
          input: { type: values.type as AccountType, currency: values.currency as CurrencyCode, ...(values.name.trim() ? { name: values.name.trim() } : {}) },
        }),
      )}
      noValidate
    >
      <Stack>
        <Select label="Type of account" placeholder="Choose one" data={TYPES} required allowDeselect={false} {...form.getInputProps('type')} />
        <Select
          label="Currency"
          description="An account holds one currency; it cannot change later."
          placeholder="Choose one"
          data={CURRENCIES}
          required
          allowDeselect={false}
          {...form.getInputProps('currency')}
        />
        <TextInput label="Name" description="Optional, up to 60 characters" maxLength={60} {...form.getInputProps('name')} />
        {refusal && (
          <Alert color="red" role="alert" title="Not opened">
            {refusal}
          </Alert>
        )}
        <Button type="submit" loading={opening.isPending}>
          Open the account
        </Button>
      </Stack>
    </form>
  );
}
