import { Alert, Button, Checkbox, Group, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { isMeridianError } from '@meridian/client';
import { ApiKeysDocument, CreateApiKeyDocument, type CreateApiKeyMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { errorField, errorMessage, errorReason, type ErrorMessages } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { API_KEY_SCOPES, READ_ONLY_SCOPES, scopeLabel } from './api-key-scopes';

/** How long a new key works; identity allows at most a year. */
const LIFETIMES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
];

/** Identity's rule for names: 1 to 100 characters, no control or format characters. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

const MESSAGES: ErrorMessages = {
  CONFLICT: 'You have 20 keys that still work, the most you can hold. Revoke one you no longer use first.',
  FORBIDDEN: 'Only customers can create API keys.',
  STEP_UP_REQUIRED: 'Creating a key needs you to confirm it is you. Press “Create the key” to try again.',
};

/** The scopes a refusal names (`extensions.scopes`), as labels. */
function namedScopes(error: unknown): string {
  const scopes = isMeridianError(error) ? error.errors[0]?.extensions?.scopes : undefined;
  return Array.isArray(scopes) ? scopes.map((s) => scopeLabel(String(s)).toLowerCase()).join(', ') : '';
}

/** What to show under the permissions for a refusal about them, or undefined. */
function scopesProblem(error: unknown): string | undefined {
  const reason = errorReason(error);
  if (reason === 'SCOPE_NOT_HELD') return `You cannot give a key what you may not do yourself: ${namedScopes(error)}.`;
  if (reason === 'SCOPE_NOT_DELEGABLE') return `A key can never be given: ${namedScopes(error)}.`;
  if (reason === 'UNKNOWN_SCOPE') return 'Some of these permissions are not known any more. Reload the page.';
  return undefined;
}

/** Props of {@link CreateApiKeyForm}. */
export interface CreateApiKeyFormProps {
  /** The key was created; its secret is in this answer only. */
  onCreated: (created: CreateApiKeyMutation['createApiKey']) => void;
}

/**
 * Creates an API key (`createApiKey`, after a recent second factor): a name,
 * the permissions it acts with (what identity lets a customer delegate, the
 * read-only ones to start with) and how long it works.
 */
export function CreateApiKeyForm({ onCreated }: CreateApiKeyFormProps) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { name: '', scopes: [...READ_ONLY_SCOPES], lifetimeDays: '90' },
    validate: {
      name: (value) => {
        const name = value.trim();
        if (!name) return 'Give the key a name, e.g. what uses it.';
        if (name.length > 100) return 'Use at most 100 characters.';
        return UNPRINTABLE.test(name) ? 'Use letters, digits, spaces and punctuation only.' : null;
      },
      scopes: (value) => (value.length ? null : 'Choose at least one permission.'),
      lifetimeDays: (value) => (LIFETIMES.some((l) => l.value === value) ? null : 'Choose how long the key works.'),
    },
  });
  const create = useMeridianMutation(CreateApiKeyDocument, {
    onSuccess: async (data) => {
      form.reset();
      onCreated(data.createApiKey);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(ApiKeysDocument) });
    },
    onError: (error) => {
      const scopes = scopesProblem(error);
      if (scopes) form.setFieldError('scopes', scopes);
      else if (errorField(error) === 'name') form.setFieldError('name', errorMessage(error));
      else if (errorField(error) === 'expiresAt') form.setFieldError('lifetimeDays', errorMessage(error));
    },
  });
  const field = errorField(create.error);
  const underField = create.error && (scopesProblem(create.error) || field === 'name' || field === 'expiresAt');
  const refusal = create.error && !underField ? errorMessage(create.error, MESSAGES) : undefined;

  return (
    <form
      onSubmit={form.onSubmit(({ name, scopes, lifetimeDays }) => {
        const expiresAt = new Date(Date.now() + Number(lifetimeDays) * 86_400_000).toISOString();
        create.mutate({ name: name.trim(), scopes: API_KEY_SCOPES.map((s) => s.scope).filter((s) => scopes.includes(s)), expiresAt });
      })}
      noValidate
    >
      <Stack>
        <TextInput label="Name" description="To tell your keys apart, e.g. “Monthly budget export”" maxLength={100} required {...form.getInputProps('name')} />
        <Checkbox.Group label="What the key may do" description="Give only what your script needs." required {...form.getInputProps('scopes')}>
          <Stack gap="xs" mt="xs">
            {API_KEY_SCOPES.map((s) => (
              <Checkbox key={s.scope} value={s.scope} label={s.label} description={s.scope} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Select label="Works for" data={LIFETIMES} required allowDeselect={false} {...form.getInputProps('lifetimeDays')} />
        {refusal && (
          <Alert color="red" role="alert" title="No key created">
            {refusal}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create the key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
