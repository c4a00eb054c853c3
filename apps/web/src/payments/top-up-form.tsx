import { Alert, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { CreatePaymentDocument, type CreatePaymentInput } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { AccountSummary } from '../accounts/use-accounts';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { formatMoney, parseAmountInput } from '../money/format-money';
import { useIdempotentAttempt } from '../transfers/use-idempotent-attempt';
import { fieldOfRefusal } from './payment-details';
import { cardBrandLabel } from './payment-labels';
import { amountError } from './payment-money';
import { PaymentOutcome, type PaymentResult } from './payment-outcome';
import { paymentRefusals } from './payment-refusals';
import { refreshAfterPayment, type SavedCard } from './use-payment-data';

interface TopUpValues {
  cardId: string;
  accountId: string;
  amount: string;
}

/** The form fields a top-up's refusal may name. */
const FIELDS: ReadonlySet<keyof TopUpValues> = new Set(['cardId', 'accountId', 'amount'] as const);

/**
 * Tops an account up from a saved card: one `createPayment` of kind `CARD`
 * with `confirm: true`, under one `Idempotency-Key` per attempt. The card's
 * bank may answer at once (topped up, declined) or later (on its way).
 */
export function TopUpForm({ accounts, cards }: { accounts: AccountSummary[]; cards: SavedCard[] }) {
  const queryClient = useQueryClient();
  const attempt = useIdempotentAttempt();
  const key = useRef<string>(undefined);
  const active = accounts.filter((a) => a.status === 'ACTIVE');
  const byId = new Map(active.map((a) => [a.id, a]));
  const [result, setResult] = useState<PaymentResult>();
  const form = useForm<TopUpValues>({
    initialValues: { cardId: cards.length === 1 ? cards[0].id : '', accountId: active.length === 1 ? active[0].id : '', amount: '' },
    validate: {
      cardId: (value) => (cards.some((c) => c.id === value) ? null : 'Choose the card to take the money from.'),
      accountId: (value) => (byId.has(value) ? null : 'Choose the account the money goes to.'),
      amount: (value, values) => {
        const account = byId.get(values.accountId);
        return account ? amountError(value, account.currency) : null;
      },
    },
  });
  const account = byId.get(form.values.accountId);
  const messages = paymentRefusals(account?.currency, 'Top up');
  const topUp = useMeridianMutation(CreatePaymentDocument, {
    requestOptions: () => ({ idempotencyKey: key.current }),
    onSettled: (_data, error) => attempt.settled(error ?? undefined),
    onSuccess: async (data) => {
      setResult(data.createPayment);
      form.setFieldValue('amount', '');
      await refreshAfterPayment(queryClient);
    },
    onError: (error) => {
      const field = fieldOfRefusal(error, FIELDS);
      if (field) form.setFieldError(field, errorMessage(error, messages));
    },
  });
  const refusal = topUp.error && !fieldOfRefusal(topUp.error, FIELDS) ? errorMessage(topUp.error, messages) : undefined;

  const submit = form.onSubmit((values) => {
    const to = byId.get(values.accountId)!;
    const parsed = parseAmountInput(values.amount, to.currency);
    if ('problem' in parsed) return;
    const input: CreatePaymentInput = { kind: 'CARD', cardId: values.cardId, accountId: to.id, amount: parsed.amount, currency: to.currency };
    setResult(undefined);
    key.current = attempt.keyFor(input);
    topUp.mutate({ input: { ...input, confirm: true } });
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Top up an account">
      <Stack>
        {result && <PaymentOutcome payment={result} />}
        <Select
          label="From card"
          placeholder="Choose a card"
          data={cards.map((c) => ({ value: c.id, label: `${cardBrandLabel(c.brand)} •••• ${c.last4}` }))}
          required
          allowDeselect={false}
          {...form.getInputProps('cardId')}
        />
        <Select
          label="To account"
          placeholder="Choose an account"
          data={active.map((a) => ({ value: a.id, label: `${a.name} · ${formatMoney(a.balance.available.amount, a.currency)}` }))}
          required
          allowDeselect={false}
          {...form.getInputProps('accountId')}
        />
        <TextInput
          label="Amount"
          inputMode="decimal"
          autoComplete="off"
          required
          rightSection={account ? <Text size="sm">{account.currency}</Text> : undefined}
          rightSectionWidth={48}
          {...form.getInputProps('amount')}
        />
        {refusal && (
          <Alert color="red" role="alert" title="Not topped up">
            {refusal}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={topUp.isPending}>
            Top up
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
