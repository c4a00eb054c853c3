import { Alert, Card, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { RemoveCardDocument, SavedDestinationsDocument } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useAccounts } from '../accounts/use-accounts';
import { errorMessage } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { CardForm } from './card-form';
import { cardBrandLabel } from './payment-labels';
import { PaymentsPage } from './payments-page';
import { RemoveButton } from './confirm-button';
import { TopUpForm } from './top-up-form';
import { useSavedDestinations } from './use-payment-data';
import { Loading } from '../layout/load-states';

/** The saved cards (remove any), topping an account up from one, and adding a card. */
export function CardsScreen() {
  const queryClient = useQueryClient();
  const accounts = useAccounts();
  const saved = useSavedDestinations();
  // What last changed, said in the page (a polite live region) rather than in a toast that disappears.
  const [notice, setNotice] = useState<string>();
  const remove = useMeridianMutation(RemoveCardDocument, {
    onSuccess: async () => {
      setNotice('Card removed: it can no longer be charged.');
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(SavedDestinationsDocument) });
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: meridianQueryKey(SavedDestinationsDocument) }),
  });
  const cards = saved.data?.me.cards ?? [];
  const active = accounts.data?.me.accounts.filter((a) => a.status === 'ACTIVE') ?? [];
  const error = saved.error ?? accounts.error;

  return (
    <PaymentsPage loadError={error} notice={notice} title="Cards and top-ups" intro="Add money to your accounts from a card you hold at another bank. Meridian never keeps the card number or the security code.">
      {saved.isPending && !error && <Loading label="Loading your cards" />}
      {remove.error && (
        <Alert color="red" role="alert" title="Not removed">
          {errorMessage(remove.error, { NOT_FOUND: 'This card was already removed.' })}
        </Alert>
      )}
      {saved.data && (
        <Stack component="section" aria-labelledby="cards-heading">
          <Title order={2} size="h3" id="cards-heading">
            Your cards
          </Title>
          {cards.length === 0 ? (
            <Text c="dimmed">No cards yet.</Text>
          ) : (
            <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Cards">
              {cards.map((card) => {
                const name = `${cardBrandLabel(card.brand)} •••• ${card.last4}`;
                return (
                  <Card key={card.id} withBorder component="li" padding="sm" data-testid="saved-card">
                    <Group justify="space-between" gap="xs">
                      <Stack gap={0}>
                        <Text fw={600}>{name}</Text>
                        <Text size="sm" c="dimmed">
                          Expires {String(card.expMonth).padStart(2, '0')}/{card.expYear}
                        </Text>
                      </Stack>
                      <RemoveButton name={name} removing={remove.isPending && remove.variables?.id === card.id} onRemove={() => remove.mutate({ id: card.id })} />
                    </Group>
                  </Card>
                );
              })}
            </Stack>
          )}
        </Stack>
      )}
      {saved.data && accounts.data && cards.length > 0 && active.length > 0 && (
        <Paper withBorder p="lg">
          <Title order={2} size="h3" mb="sm">
            Top up
          </Title>
          <TopUpForm accounts={accounts.data.me.accounts} cards={cards} />
        </Paper>
      )}
      {saved.data && (
        <Paper withBorder p="lg">
          <Title order={2} size="h3" mb="sm">
            Add a card
          </Title>
          <CardForm onAdded={(card) => setNotice(`Card added: ${cardBrandLabel(card.brand)} •••• ${card.last4} is saved.`)} />
        </Paper>
      )}
    </PaymentsPage>
  );
}
