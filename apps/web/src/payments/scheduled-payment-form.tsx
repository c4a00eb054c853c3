import { Alert, Button, Group, Radio, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { CreateScheduledPaymentDocument, ScheduledPaymentsDocument, type CreateScheduledPaymentMutation, type ScheduleFrequency } from '@meridian/client/web';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AccountSummary } from '../accounts/use-accounts';
import { errorMessage, refusedField } from '../api/error-messages';
import { meridianQueryKey, useMeridianMutation } from '../api/use-meridian';
import { formatMoney } from '../money/format-money';
import { EMPTY_PAYMENT_DETAILS, paymentDetailErrors, paymentInputOf, refusedPaymentField, type PaymentDetailsValues, type PaymentTarget } from './payment-details';
import { PaymentFields } from './payment-fields';
import { paymentRefusals } from './payment-refusals';
import { browserTimeZone, describeNextRun, describeSchedule, localToday, scheduleErrors, scheduleInputOf, WEEKDAYS, type ScheduleValues } from './schedule-details';
import type { SavedPayee } from './use-payment-data';

type Values = PaymentDetailsValues & ScheduleValues;

const TARGETS: PaymentTarget[] = ['P2P', 'PAYOUT'];
const SCHEDULE_FIELDS = new Set<string>(['date', 'dayOfWeek', 'dayOfMonth', 'timeOfDay', 'timeZone', 'endDate', 'count']);

/** Props of {@link ScheduledPaymentForm}. */
export interface ScheduledPaymentFormProps {
  accounts: AccountSummary[];
  payees: SavedPayee[];
  onScheduled?: (scheduled: CreateScheduledPaymentMutation['createScheduledPayment']) => void;
}

/**
 * Schedules a payment to another Meridian customer or a saved payee: once on
 * a date, every week on a day or every month on a date, at a local time in
 * the person's time zone, optionally until a date or for a number of runs.
 * Payments checks it now as it would be paid now (and asks for a second
 * factor for a large amount); each run is paid then, as the limits and the
 * balance stand.
 */
export function ScheduledPaymentForm({ accounts, payees, onScheduled }: ScheduledPaymentFormProps) {
  const queryClient = useQueryClient();
  const active = accounts.filter((a) => a.status === 'ACTIVE');
  const byId = new Map(active.map((a) => [a.id, a]));
  const destinations = { payees: new Set(payees.map((p) => p.id)), billers: new Set<string>() };
  const form = useForm<Values>({
    initialValues: {
      ...EMPTY_PAYMENT_DETAILS,
      accountId: active.length === 1 ? active[0].id : '',
      frequency: 'MONTHLY',
      date: '',
      dayOfWeek: '',
      dayOfMonth: '',
      timeOfDay: '09:00',
      timeZone: browserTimeZone(),
      endDate: '',
      count: '',
    },
    validate: (values) => ({ ...paymentDetailErrors(values, byId, destinations), ...scheduleErrors(values) }),
  });
  const [done, setDone] = useState<CreateScheduledPaymentMutation['createScheduledPayment']>();
  const account = byId.get(form.values.accountId);
  const messages = paymentRefusals(account?.currency, 'Schedule payment');
  const create = useMeridianMutation(CreateScheduledPaymentDocument, {
    onSuccess: async (data) => {
      setDone(data.createScheduledPayment);
      form.setValues({ amount: '', description: '' });
      form.resetDirty();
      onScheduled?.(data.createScheduledPayment);
      await queryClient.invalidateQueries({ queryKey: meridianQueryKey(ScheduledPaymentsDocument) });
    },
    onError: (error) => {
      const field = refusedPaymentField(error) ?? scheduleField(error);
      if (field) form.setFieldError(field, errorMessage(error, messages));
    },
  });
  const refusal = create.error && !(refusedPaymentField(create.error) ?? scheduleField(create.error)) ? errorMessage(create.error, messages) : undefined;

  const submit = form.onSubmit((values) => {
    const from = byId.get(values.accountId)!;
    setDone(undefined);
    create.mutate({ input: { payment: paymentInputOf(values, from), schedule: scheduleInputOf(values) } });
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Schedule a payment">
      <Stack>
        <PaymentFields
          values={form.values}
          inputProps={(field) => form.getInputProps(field)}
          onKindChange={(kind) => form.setFieldValue('kind', kind)}
          accounts={active}
          payees={payees}
          billers={[]}
          targets={TARGETS}
        />
        <Radio.Group label="How often" required value={form.values.frequency} onChange={(value) => form.setFieldValue('frequency', value as ScheduleFrequency)}>
          <Group mt="xs">
            <Radio value="ONCE" label="Once" />
            <Radio value="WEEKLY" label="Every week" />
            <Radio value="MONTHLY" label="Every month" />
          </Group>
        </Radio.Group>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          {form.values.frequency === 'ONCE' && <TextInput type="date" label="Date" min={localToday()} required {...form.getInputProps('date')} />}
          {form.values.frequency === 'WEEKLY' && (
            <Select label="Day of the week" placeholder="Choose a day" data={WEEKDAYS} required allowDeselect={false} {...form.getInputProps('dayOfWeek')} />
          )}
          {form.values.frequency === 'MONTHLY' && (
            <TextInput
              label="Day of the month"
              description="1 to 31; the month's last day when it is shorter"
              inputMode="numeric"
              required
              {...form.getInputProps('dayOfMonth')}
            />
          )}
          <TextInput type="time" label="Time" required {...form.getInputProps('timeOfDay')} />
        </SimpleGrid>
        <TextInput label="Time zone" description="The time above is in this zone" autoComplete="off" required {...form.getInputProps('timeZone')} />
        {form.values.frequency !== 'ONCE' && (
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput type="date" label="Until" description="Optional: the last date it may run" min={localToday()} {...form.getInputProps('endDate')} />
            <TextInput label="Number of payments" description="Optional" inputMode="numeric" {...form.getInputProps('count')} />
          </SimpleGrid>
        )}
        {refusal && (
          <Alert color="red" role="alert" title="Not scheduled">
            {refusal}
          </Alert>
        )}
        {done && (
          <Alert color="green" role="status" title="Scheduled">
            {formatMoney(done.amount.amount, done.amount.currency)} to {done.counterparty.name}. {describeSchedule(done)}. {describeNextRun(done)}.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Schedule payment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The schedule field a BAD_USER_INPUT names, if this form shows it. */
function scheduleField(error: unknown): keyof ScheduleValues | undefined {
  return refusedField(error, SCHEDULE_FIELDS) as keyof ScheduleValues | undefined;
}
