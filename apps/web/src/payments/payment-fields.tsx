import { Group, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import type { GetInputPropsReturnType } from '@mantine/form';
import type { AccountSummary } from '../accounts/use-accounts';
import { AnchorLink } from '../layout/router-links';
import { formatMoney } from '../money/format-money';
import { usePaymentLimits, type SavedBiller, type SavedPayee } from './use-payment-data';
import type { PaymentDetailsValues, PaymentTarget } from './payment-details';

const TARGETS: Record<PaymentTarget, string> = {
  P2P: 'A Meridian customer',
  PAYOUT: 'A saved payee',
  BILL: 'A bill',
};

/** Props of {@link PaymentFields}: the form's values and inputs, and what can be chosen. */
export interface PaymentFieldsProps {
  values: PaymentDetailsValues;
  inputProps: (field: keyof PaymentDetailsValues) => GetInputPropsReturnType;
  onKindChange: (kind: PaymentTarget) => void;
  /** The user's active accounts. */
  accounts: AccountSummary[];
  payees: SavedPayee[];
  billers: SavedBiller[];
  /** The kinds offered, in order. */
  targets: PaymentTarget[];
}

/** What is available in the account and what the limits still allow, under the amount. */
function useAmountHint(account: AccountSummary | undefined): string | undefined {
  const limits = usePaymentLimits(account?.currency);
  if (!account) return undefined;
  const available = `${formatMoney(account.balance.available.amount, account.currency)} available`;
  const next = limits.data?.me.paymentLimits;
  if (!next || next.currency !== account.currency) return available;
  if (next.tier === 'TIER_0') return `${available}. Verify your identity to pay other people.`;
  return `${available} · you can pay up to ${formatMoney(next.nextPaymentMax.amount, next.currency)} now`;
}

/**
 * The fields every payment form shares: who is paid (a Meridian customer by
 * email or phone, a saved payee, a saved biller), from which account, how
 * much and a note. The amount's description says what is available and what
 * the limits still allow.
 */
export function PaymentFields({ values, inputProps, onKindChange, accounts, payees, billers, targets }: PaymentFieldsProps) {
  const account = accounts.find((a) => a.id === values.accountId);
  const hint = useAmountHint(account);
  return (
    <Stack>
      {targets.length > 1 && (
        <Radio.Group label="Who are you paying?" required value={values.kind} onChange={(value) => onKindChange(value as PaymentTarget)}>
          <Group mt="xs" gap="md">
            {targets.map((target) => (
              <Radio key={target} value={target} label={TARGETS[target]} />
            ))}
          </Group>
        </Radio.Group>
      )}
      {values.kind === 'P2P' && (
        <TextInput
          label="Their email or phone number"
          description="The email address or phone number they use with Meridian; a phone number starts with + and the country code."
          autoComplete="off"
          required
          {...inputProps('recipient')}
        />
      )}
      {values.kind === 'PAYOUT' &&
        (payees.length > 0 ? (
          <Select
            label="Payee"
            placeholder="Choose a payee"
            data={payees.map((p) => ({ value: p.id, label: `${p.name} · ${p.maskedAccount}` }))}
            required
            allowDeselect={false}
            {...inputProps('payeeId')}
          />
        ) : (
          <Text size="sm" role="status">
            You have no saved payees yet. <AnchorLink to="/payments/payees">Add a payee</AnchorLink> first.
          </Text>
        ))}
      {values.kind === 'BILL' &&
        (billers.length > 0 ? (
          <Select
            label="Biller"
            placeholder="Choose a biller"
            data={billers.map((b) => ({ value: b.id, label: `${b.name} · ${b.maskedReference}` }))}
            required
            allowDeselect={false}
            {...inputProps('billerId')}
          />
        ) : (
          <Text size="sm" role="status">
            You have no saved billers yet. <AnchorLink to="/payments/payees">Add a biller</AnchorLink> first.
          </Text>
        ))}
      <Select
        label="From"
        placeholder="Choose an account"
        data={accounts.map((a) => ({ value: a.id, label: `${a.name} · ${formatMoney(a.balance.available.amount, a.currency)} available` }))}
        required
        allowDeselect={false}
        {...inputProps('accountId')}
      />
      <TextInput
        label="Amount"
        inputMode="decimal"
        autoComplete="off"
        required
        rightSection={account ? <Text size="sm">{account.currency}</Text> : undefined}
        rightSectionWidth={48}
        description={hint}
        {...inputProps('amount')}
      />
      <TextInput label="Note" description="Optional, shown to both sides" maxLength={140} {...inputProps('description')} />
    </Stack>
  );
}
