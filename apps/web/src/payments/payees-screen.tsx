import { Alert, Card, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { DeleteBillerDocument, DeletePayeeDocument, SavedDestinationsDocument } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { ButtonLink } from '../layout/router-links';
import { BillerForm } from './biller-form';
import { PayeeForm } from './payee-form';
import { dateOnly } from './payment-labels';
import { PaymentsPage } from './payments-page';
import { RemoveButton } from './confirm-button';
import { useSavedDestinations } from './use-payment-data';
import { Loading } from '../layout/load-states';

/** One saved payee or biller: its name, what identifies it, "Pay" (the pay form with it chosen) and "Remove". */
function DestinationCard({ name, details, pay, remove }: { name: string; details: string; pay: { payee: string } | { biller: string }; remove: ReactNode }) {
  return (
    <Card withBorder component="li" padding="sm" data-testid="saved-destination">
      <Group justify="space-between" gap="xs">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
            {name}
          </Text>
          <Text size="sm" c="dimmed">
            {details}
          </Text>
        </Stack>
        <Group gap="xs">
          <ButtonLink to="/payments/pay" search={pay} size="xs" variant="light" aria-label={`Pay ${name}`}>
            Pay
          </ButtonLink>
          {remove}
        </Group>
      </Group>
    </Card>
  );
}

/** The saved payees or billers: the list (or that there is none) and the form that adds one. */
function DestinationSection({ kind, title, cards, form }: { kind: 'payee' | 'biller'; title: string; cards: ReactNode[]; form: ReactNode }) {
  return (
    <Stack component="section" aria-labelledby={`${kind}s-heading`}>
      <Title order={2} size="h3" id={`${kind}s-heading`}>
        {title}
      </Title>
      {cards.length === 0 ? (
        <Text c="dimmed">No {kind}s yet.</Text>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label={title}>
          {cards}
        </Stack>
      )}
      <Paper withBorder p="md">
        <Title order={3} size="h4" mb="sm">
          Add a {kind}
        </Title>
        {form}
      </Paper>
    </Stack>
  );
}

/** Where payouts and bill payments go: the saved payees and billers, adding one (a payee needs a second factor) and removing one. */
export function PayeesScreen() {
  const queryClient = useQueryClient();
  const saved = useSavedDestinations();
  const refresh = () => queryClient.invalidateQueries({ queryKey: meridianQueryKey(SavedDestinationsDocument) });
  // What last changed, said in the page (a polite live region) rather than in a toast that disappears.
  const [notice, setNotice] = useState<string>();
  const removed = (what: string) => async () => {
    setNotice(`Removed: ${what} can no longer be paid.`);
    await refresh();
  };
  const deletePayee = useMeridianMutation(DeletePayeeDocument, { onSuccess: removed('the payee'), onError: () => void refresh() });
  const deleteBiller = useMeridianMutation(DeleteBillerDocument, { onSuccess: removed('the biller'), onError: () => void refresh() });
  const removeError = deletePayee.error ?? deleteBiller.error;
  const payees = saved.data?.me.payees ?? [];
  const billers = saved.data?.me.billers ?? [];

  return (
    <PaymentsPage loadError={saved.error} notice={notice} title="Payees and billers" intro="The bank accounts and billers you pay. Adding a payee asks you to confirm it is you." maw={960}>
      {saved.isPending && <Loading label="Loading your payees and billers" />}
      {removeError && (
        <Alert color="red" role="alert" title="Not removed">
          {errorMessage(removeError, { NOT_FOUND: 'It was already removed.' })}
        </Alert>
      )}
      {saved.data && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
          <DestinationSection
            kind="payee"
            title="Payees"
            form={<PayeeForm onAdded={(payee) => setNotice(`Payee added: you can now pay ${payee.name}.`)} />}
            cards={payees.map((payee) => (
              <DestinationCard
                key={payee.id}
                name={payee.name}
                details={`${payee.scheme === 'IBAN' ? 'IBAN' : 'Account'} ${payee.maskedAccount} · ${payee.country} · added ${dateOnly.format(new Date(payee.createdAt))}`}
                pay={{ payee: payee.id }}
                remove={<RemoveButton name={payee.name} removing={deletePayee.isPending && deletePayee.variables?.id === payee.id} onRemove={() => deletePayee.mutate({ id: payee.id })} />}
              />
            ))}
          />
          <DestinationSection
            kind="biller"
            title="Billers"
            form={<BillerForm onAdded={(biller) => setNotice(`Biller added: you can now pay ${biller.name}.`)} />}
            cards={billers.map((biller) => (
              <DestinationCard
                key={biller.id}
                name={biller.name}
                details={`${biller.billerCode} · reference ${biller.maskedReference}`}
                pay={{ biller: biller.id }}
                remove={<RemoveButton name={biller.name} removing={deleteBiller.isPending && deleteBiller.variables?.id === biller.id} onRemove={() => deleteBiller.mutate({ id: biller.id })} />}
              />
            ))}
          />
        </SimpleGrid>
      )}
    </PaymentsPage>
  );
}
