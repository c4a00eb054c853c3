import { Button, Group, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';

/** What staff look a customer up by. */
export type CustomerSearch = { by: 'email'; email: string } | { by: 'id'; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Enough of an address to look up: identity compares it as at sign-in. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The search a typed text asks for, or the problem with it. */
export function readCustomerSearch(text: string): CustomerSearch | { problem: string } {
  const value = text.trim();
  if (!value) return { problem: 'Enter an email address or a customer ID.' };
  if (UUID.test(value)) return { by: 'id', id: value.toLowerCase() };
  if (value.includes('@')) return EMAIL.test(value) && value.length <= 254 ? { by: 'email', email: value } : { problem: 'This is not an email address.' };
  return { problem: 'Enter an email address, or a customer ID such as 0190f1c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f.' };
}

/**
 * Finds a customer by email address or by id: the typed text is checked here
 * before anything is read (each lookup is audited).
 */
export function CustomerSearchForm({ onSearch, searching = false }: { onSearch: (search: CustomerSearch) => void; searching?: boolean }) {
  const form = useForm({
    initialValues: { query: '' },
    validate: {
      query: (value) => {
        const search = readCustomerSearch(value);
        return 'problem' in search ? search.problem : null;
      },
    },
  });
  return (
    <form
      role="search"
      aria-label="Find a customer"
      noValidate
      onSubmit={form.onSubmit(({ query }) => {
        const search = readCustomerSearch(query);
        if (!('problem' in search)) onSearch(search);
      })}
    >
      <Group align="flex-start" gap="sm">
        <TextInput
          label="Email address or customer ID"
          autoComplete="off"
          spellCheck={false}
          required
          style={{ flex: '1 1 260px' }}
          {...form.getInputProps('query')}
        />
        <Button type="submit" mt={25} loading={searching}>
          Find
        </Button>
      </Group>
    </form>
  );
}
