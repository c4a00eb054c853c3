import { Alert, Button, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { AccountsDocument, AccountTransactionsDocument, TransferBetweenOwnAccountsDocument, type TransferBetweenOwnAccountsMutation } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, type ErrorMessages, refusedField, showOnField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import type { AccountSummary } from '../accounts/use-accounts';
import { formatMoney, parseAmountInput, type AmountProblem } from '../money/format-money';
import { useIdempotentAttempt } from './use-idempotent-attempt';

const AMOUNT_PROBLEMS: Record<AmountProblem, string> = {
  EMPTY: 'Enter an amount.',
  NOT_A_NUMBER: 'Enter an amount like 25 or 25.50.',
  NOT_POSITIVE: 'Enter an amount greater than zero.',
  TOO_MANY_DECIMALS: 'This currency does not have that many decimal places.',
  TOO_LARGE: 'That amount is too large.',
};

/** Banking's rule for notes: at most 140 printable characters (no control or format characters). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

const UNSURE =
  'We could not tell whether the money moved. Press “Move money” again: the same transfer is never made twice, and you will see how it ended.';

function transferMessages(from: AccountSummary | undefined): ErrorMessages {
  return {
    INSUFFICIENT_FUNDS: `There is not enough money in ${from?.name ?? 'the account'} for this transfer.`,
    CONFLICT: 'One of these accounts is closed or frozen, so money cannot move between them.',
    NOT_FOUND: 'One of these accounts could not be found. It may have been closed: reload your accounts.',
    IDEMPOTENCY_KEY_REUSED: 'This transfer was already sent with other details. Check the history before trying again.',
    SERVICE_UNAVAILABLE: 'The bank could not make the transfer just now, and no money moved. Press “Move money” again: it will not be made twice.',
    NETWORK_ERROR: UNSURE,
    BAD_RESPONSE: UNSURE,
    INTERNAL_SERVER_ERROR: UNSURE,
    FORBIDDEN: 'Your sign-in does not allow moving money.',
    STEP_UP_REQUIRED: 'This transfer needs you to confirm it is you. Press “Move money” to try again.',
    LIMIT_EXCEEDED: 'This transfer is over your limit.',
  };
}

/** The fields a refusal can name that this form shows. */
const FORM_FIELDS = new Set(['fromAccountId', 'toAccountId', 'amount', 'description']);

/** Props of {@link TransferForm}. */
export interface TransferFormProps {
  /** The user's accounts; only active ones are offered. */
  accounts: AccountSummary[];
  /** The account to move money from, preselected. */
  defaultFromId?: string;
  onTransferred?: (transfer: TransferBetweenOwnAccountsMutation['transferBetweenOwnAccounts']) => void;
}

/**
 * Moves money between two of the user's accounts in one currency
 * (`transferBetweenOwnAccounts`). Each attempt has its own `transferId`
 * (the idempotency key), reused when the same attempt is retried after a
 * network failure; every refusal code has its own message.
 */
export function TransferForm({ accounts, defaultFromId, onTransferred }: TransferFormProps) {
  const queryClient = useQueryClient();
  const attempt = useIdempotentAttempt();
  const active = accounts.filter((a) => a.status === 'ACTIVE');
  const byId = new Map(active.map((a) => [a.id, a]));
  const [done, setDone] = useState<TransferBetweenOwnAccountsMutation['transferBetweenOwnAccounts']>();
  const form = useForm({
    initialValues: { fromAccountId: defaultFromId && byId.has(defaultFromId) ? defaultFromId : '', toAccountId: '', amount: '', description: '' },
    validate: {
      fromAccountId: (value) => (byId.has(value) ? null : 'Choose the account the money leaves.'),
      toAccountId: (value, values) => {
        if (!byId.has(value)) return 'Choose the account the money goes to.';
        if (value === values.fromAccountId) return 'Choose two different accounts.';
        const from = byId.get(values.fromAccountId);
        return from && byId.get(value)!.currency !== from.currency ? 'Both accounts must hold the same currency.' : null;
      },
      amount: (value, values) => {
        const from = byId.get(values.fromAccountId);
        if (!from) return null;
        const parsed = parseAmountInput(value, from.currency);
        return 'problem' in parsed ? AMOUNT_PROBLEMS[parsed.problem] : null;
      },
      description: (value) => (value.trim().length > 140 ? 'Use at most 140 characters.' : UNPRINTABLE.test(value.trim()) ? 'Use letters, digits, spaces and punctuation only.' : null),
    },
  });
  const from = byId.get(form.values.fromAccountId);
  const transfer = useMeridianMutation(TransferBetweenOwnAccountsDocument, {
    onSettled: (_data, error) => attempt.settled(error ?? undefined),
    onSuccess: async (data) => {
      setDone(data.transferBetweenOwnAccounts);
      form.setValues({ amount: '', description: '' });
      form.resetDirty();
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: meridianQueryKey(AccountsDocument) }),
        queryClient.invalidateQueries({ queryKey: meridianQueryKey(AccountTransactionsDocument) }),
      ]);
      onTransferred?.(data.transferBetweenOwnAccounts);
    },
    onError: showOnField(form, FORM_FIELDS),
  });
  const refusal = transfer.error && !refusedField(transfer.error, FORM_FIELDS) ? errorMessage(transfer.error, transferMessages(from)) : undefined;

  const submit = form.onSubmit((values) => {
    const source = byId.get(values.fromAccountId)!;
    const parsed = parseAmountInput(values.amount, source.currency);
    if ('problem' in parsed) return;
    const description = values.description.trim();
    const request = { fromAccountId: values.fromAccountId, toAccountId: values.toAccountId, amount: parsed.amount, ...(description ? { description } : {}) };
    setDone(undefined);
    transfer.mutate({ input: { transferId: attempt.keyFor(request), ...request } });
  });

  const toOptions = active
    .filter((a) => a.id !== form.values.fromAccountId && (!from || a.currency === from.currency))
    .map((a) => ({ value: a.id, label: `${a.name} · ${formatMoney(a.balance.available.amount, a.balance.available.currency)}` }));

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Select
          label="From"
          placeholder="Choose an account"
          data={active.map((a) => ({ value: a.id, label: `${a.name} · ${formatMoney(a.balance.available.amount, a.balance.available.currency)} available` }))}
          required
          allowDeselect={false}
          {...form.getInputProps('fromAccountId')}
          onChange={(value) => {
            form.setFieldValue('fromAccountId', value ?? '');
            const next = value ? byId.get(value) : undefined;
            const to = byId.get(form.values.toAccountId);
            if (to && (to.id === value || (next && to.currency !== next.currency))) form.setFieldValue('toAccountId', '');
          }}
        />
        <Select
          label="To"
          placeholder={from ? 'Choose an account' : 'Choose where the money leaves first'}
          data={toOptions}
          required
          allowDeselect={false}
          nothingFoundMessage="No other account in this currency"
          {...form.getInputProps('toAccountId')}
        />
        <TextInput
          label="Amount"
          inputMode="decimal"
          autoComplete="off"
          required
          rightSection={from ? <Text size="sm">{from.currency}</Text> : undefined}
          rightSectionWidth={48}
          description={from ? `${formatMoney(from.balance.available.amount, from.balance.available.currency)} available` : undefined}
          {...form.getInputProps('amount')}
        />
        <TextInput label="Note" description="Optional, shown on both accounts" maxLength={140} {...form.getInputProps('description')} />
        {refusal && (
          <Alert color="red" role="alert" title="Not moved">
            {refusal}
          </Alert>
        )}
        {done && (
          <Alert color="green" role="status" title="Money moved">
            {formatMoney(done.amount.amount, done.amount.currency)} moved
            {done.fromAccount && byId.get(done.fromAccount.id) ? ` from ${byId.get(done.fromAccount.id)!.name}` : ''}
            {done.toAccount && byId.get(done.toAccount.id) ? ` to ${byId.get(done.toAccount.id)!.name}` : ''}.
          </Alert>
        )}
        <Button type="submit" loading={transfer.isPending}>
          Move money
        </Button>
      </Stack>
    </form>
  );
}
