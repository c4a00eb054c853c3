import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

// How every screen shows a read in progress, a read that failed, and the next page of a list.

/** A spinner with an accessible name, centred in its own row. */
export function Loading({ label, small = false }: { label: string; small?: boolean }) {
  return (
    <Center py={small ? 'sm' : 'md'}>
      <Loader size={small ? 'sm' : undefined} aria-label={label} />
    </Center>
  );
}

/** A failed read: what could not be loaded, why (the error's message) and a way to try again. */
export function LoadFailed({ title, message, onRetry }: { title: string; message: ReactNode; onRetry: () => void }) {
  return (
    <Alert color="red" role="alert" title={title}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        <Button size="xs" variant="default" onClick={onRetry}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}

interface PagedQuery {
  fetchNextPage: () => Promise<unknown>;
  isFetchingNextPage: boolean;
}

/** The button that loads a list's next page (the caller shows it only while there is one). */
export function ShowMore({ pages, label }: { pages: PagedQuery; label: string }) {
  return (
    <Center>
      <Button variant="default" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>
        {label}
      </Button>
    </Center>
  );
}
