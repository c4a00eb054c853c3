/** @jest-environment jsdom */
import './support/dom-setup';
import { CreateScheduledPaymentDocument, PaymentLimitsDocument, ScheduledPaymentsDocument } from '@meridian/client/web';
import { screen, waitFor } from '@testing-library/react';
import { ScheduledPaymentForm } from '../src/payments/scheduled-payment-form';
import { account } from './support/accounts';
import { createFakeBff, data, refusal, type FakeBff } from './support/fake-bff';
import { payee, renderWithRouter } from './support/payments';

const everyday = account('acc-everyday', 'Everyday', 'GBP', '1500.00');
const landlord = payee('payee-1', 'Northwind Lettings');
type Events = ReturnType<typeof renderWithRouter>['events'];

const scheduled = (input: { payment: { amount: string } }) => ({
  id: 'sched-1',
  status: 'ACTIVE',
  frequency: 'MONTHLY',
  kind: 'PAYOUT',
  amount: { amount: input.payment.amount, currency: 'GBP' },
  counterparty: { name: 'Northwind Lettings' },
  description: 'Rent',
  timeZone: 'Europe/London',
  timeOfDay: '08:30',
  nextRunAt: '2027-01-01T08:30:00.000Z',
  runs: 0,
  lastOutcome: null,
  lastPayment: null,
  createdAt: '2026-12-07T10:00:00.000Z',
});

function setup(bff: FakeBff) {
  bff.on(PaymentLimitsDocument, refusal('SERVICE_UNAVAILABLE', 'busy', {}, 503));
  bff.on(ScheduledPaymentsDocument, data({ me: { id: 'user-1', scheduledPayments: [] } }));
  return renderWithRouter(<ScheduledPaymentForm accounts={[everyday]} payees={[landlord]} />, bff);
}

const box = (name: string) => screen.getByRole('textbox', { name });
const schedule = (events: Events) => events.click(screen.getByRole('button', { name: 'Schedule payment' }));

async function fillPayout(events: Events) {
  await events.click(await screen.findByRole('radio', { name: 'A saved payee' }));
  await events.click(box('Payee'));
  await events.click(await screen.findByRole('option', { name: /^Northwind Lettings/ }));
  await events.type(box('Amount'), '950');
  await events.type(box('Note'), 'Rent');
}

describe('the scheduled payment form', () => {
  it('offers a Meridian customer or a payee (no bills), and checks the schedule before sending anything', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await screen.findByRole('radio', { name: 'A saved payee' });
    expect(screen.queryByRole('radio', { name: 'A bill' })).toBeNull();
    await fillPayout(events);
    // Monthly by default: a day of the month from 1 to 31.
    await events.type(box('Day of the month'), '32');
    await events.clear(box('Time zone'));
    await events.type(box('Time zone'), 'BST');
    await events.type(box('Number of payments'), '0');
    await schedule(events);
    expect(await screen.findByText('Enter a day from 1 to 31.')).toBeTruthy();
    expect(screen.getByText('Enter a time zone such as Europe/London.')).toBeTruthy();
    expect(screen.getByText('Enter a number of payments from 1 to 9999, or leave it empty.')).toBeTruthy();

    await events.click(screen.getByRole('radio', { name: 'Once' }));
    await schedule(events);
    expect(await screen.findByText('Choose the date it is paid.')).toBeTruthy();
    await events.click(screen.getByRole('radio', { name: 'Every week' }));
    await schedule(events);
    expect(await screen.findByText('Choose the day of the week.')).toBeTruthy();
    expect(bff.variablesOf(CreateScheduledPaymentDocument)).toEqual([]);
  });

  it('schedules a monthly payout with its time zone, end and count, and says when it runs next', async () => {
    const bff = createFakeBff();
    bff.on(CreateScheduledPaymentDocument, (variables) => data({ createScheduledPayment: scheduled(variables.input as { payment: { amount: string } }) }));
    const { events } = setup(bff);
    await fillPayout(events);
    await events.type(box('Day of the month'), '1');
    await events.clear(screen.getByLabelText(/^Time/, { selector: 'input[type="time"]' }));
    await events.type(screen.getByLabelText(/^Time/, { selector: 'input[type="time"]' }), '08:30');
    await events.clear(box('Time zone'));
    await events.type(box('Time zone'), 'Europe/London');
    await events.type(box('Number of payments'), '12');
    await schedule(events);
    const done = await screen.findByRole('status');
    expect(done.textContent).toContain('£950.00 to Northwind Lettings. Every month at 08:30 (Europe/London). Next:');
    expect(bff.variablesOf(CreateScheduledPaymentDocument)).toEqual([
      {
        input: {
          payment: { kind: 'PAYOUT', accountId: everyday.id, amount: '950.00', currency: 'GBP', payeeId: landlord.id, description: 'Rent' },
          schedule: { frequency: 'MONTHLY', dayOfMonth: 1, timeOfDay: '08:30', timeZone: 'Europe/London', count: 12 },
        },
      },
    ]);
  });

  it.each([
    ['a schedule field', refusal('BAD_USER_INPUT', 'The payment date and time are in the past.', { field: 'date' }), 'field'],
    ['too many schedules', refusal('CONFLICT', 'You may keep 50 scheduled payments.', { reason: 'TOO_MANY', limit: 50 }), 'You already have as many as you may keep (50). Cancel one first.'],
    ['a limit', refusal('LIMIT_EXCEEDED', 'over', { reason: 'PER_PAYMENT', limit: '1000.00' }), 'A single payment can be at most £1,000.00.'],
  ] as const)('explains a refusal of %s', async (_what, answer, message) => {
    const bff = createFakeBff();
    bff.on(CreateScheduledPaymentDocument, answer);
    const { events } = setup(bff);
    await fillPayout(events);
    await events.click(screen.getByRole('radio', { name: 'Once' }));
    await events.type(screen.getByLabelText(/^Date/), '2099-01-31');
    await schedule(events);
    if (message === 'field') {
      await waitFor(() => expect(screen.getByLabelText(/^Date/).getAttribute('aria-invalid')).toBe('true'));
      expect(screen.getByText('The payment date and time are in the past.')).toBeTruthy();
      expect(bff.variablesOf(CreateScheduledPaymentDocument)[0].input).toMatchObject({ schedule: { frequency: 'ONCE', date: '2099-01-31' } });
    } else {
      expect((await screen.findByRole('alert')).textContent).toContain(message);
    }
  });
});
