/** @jest-environment jsdom */
import './support/dom-setup';
import { CreatePaymentDocument, PaymentLimitsDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import { PayForm } from '../src/payments/pay-form';
import { account } from './support/accounts';
import { createFakeBff, data, refusal, type FakeAnswer, type FakeBff } from './support/fake-bff';
import { answerStepUp, biller, payee, payment, renderWithRouter } from './support/payments';

const everyday = account('acc-everyday', 'Everyday', 'GBP', '1500.00');
const euros = account('acc-euros', 'Euro wallet', 'EUR', '80.00', { type: 'WALLET' });
const closed = account('acc-closed', 'Old', 'GBP', '0.00', { status: 'CLOSED' });
const landlord = payee('payee-1', 'Northwind Lettings');
const water = biller('biller-1', 'Thames Water');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Events = ReturnType<typeof renderWithRouter>['events'];

const limits = (currency: string) =>
  data({
    me: {
      id: 'user-1',
      paymentLimits: {
        currency,
        tier: 'TIER_1',
        perPayment: { amount: '1000.00' },
        usedToday: { amount: '100.00' },
        remainingToday: { amount: '2400.00' },
        usedThisMonth: { amount: '100.00' },
        remainingThisMonth: { amount: '9900.00' },
        nextPaymentMax: { amount: '1000.00' },
      },
    },
  });

/** Answers a payment as paid, echoing what was asked. */
const paid = (variables: Record<string, unknown>, overrides = {}): FakeAnswer => {
  const input = variables.input as { amount: string; currency: 'GBP' };
  return data({ createPayment: payment({ amount: { amount: input.amount, currency: input.currency }, ...overrides }) });
};

function setup(bff: FakeBff, accounts = [everyday, euros, closed]) {
  bff.on(PaymentLimitsDocument, (variables) => limits(String(variables.currency)));
  return renderWithRouter(<PayForm accounts={accounts} payees={[landlord]} billers={[water]} />, bff);
}

async function choose(events: Events, label: string, option: RegExp) {
  await events.click(screen.getByRole('textbox', { name: label }));
  await events.click(await screen.findByRole('option', { name: option }));
}

async function fillP2P(events: Events, amount: string, to = 'ana@example.com') {
  await events.type(await screen.findByRole('textbox', { name: 'Their email or phone number' }), to);
  await choose(events, 'From', /^Everyday/);
  await events.type(screen.getByRole('textbox', { name: 'Amount' }), amount);
}

const proceed = (events: Events) => events.click(screen.getByRole('button', { name: 'Continue' }));
const pay = async (events: Events) => events.click(await screen.findByRole('button', { name: /^Pay / }));
const keysSent = (bff: FakeBff) => bff.calls.filter((c) => c.path === '/graphql' && c.body?.variables && 'input' in (c.body.variables as object)).map((c) => c.headers['idempotency-key']);

describe('the pay form', () => {
  it('checks who, from where and how much before anything is sent', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await events.click(await screen.findByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('Enter their email address, or their phone number starting with + and the country code.')).toBeTruthy();
    expect(screen.getByText('Choose the account the money leaves.')).toBeTruthy();

    // Only open accounts are offered.
    await events.click(screen.getByRole('textbox', { name: 'From' }));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['Everyday · £1,500.00 available', 'Euro wallet · €80.00 available']);
    await events.click(screen.getByRole('option', { name: /^Everyday/ }));
    // What the limits still allow shows under the amount, in the account's currency.
    expect(await screen.findByText('£1,500.00 available · you can pay up to £1,000.00 now')).toBeTruthy();

    const recipient = screen.getByRole('textbox', { name: 'Their email or phone number' });
    for (const typed of ['ana', 'ana@example', '07700 900123', '+0 7700']) {
      await events.clear(recipient);
      await events.type(recipient, typed);
      await proceed(events);
      expect(await screen.findByText(/Enter their email address, or their phone number/)).toBeTruthy();
    }
    const amount = screen.getByRole('textbox', { name: 'Amount' });
    for (const [typed, problem] of [
      ['', 'Enter an amount.'],
      ['12,5.0.1', 'Enter an amount like 25 or 25.50.'],
      ['0', 'Enter an amount greater than zero.'],
      ['1.234', 'This currency does not have that many decimal places.'],
    ]) {
      await events.clear(amount);
      if (typed) await events.type(amount, typed);
      await proceed(events);
      expect(await screen.findByText(problem)).toBeTruthy();
    }

    // A payout needs a payee, a bill a biller.
    await events.click(screen.getByRole('radio', { name: 'A saved payee' }));
    await proceed(events);
    expect(await screen.findByText('Choose a payee.')).toBeTruthy();
    await events.click(screen.getByRole('radio', { name: 'A bill' }));
    await proceed(events);
    expect(await screen.findByText('Choose a biller.')).toBeTruthy();
    expect(bff.variablesOf(CreatePaymentDocument)).toEqual([]);
  });

  it('shows the payment to check, then pays it in one request with confirm and an Idempotency-Key', async () => {
    const bff = createFakeBff();
    bff.on(CreatePaymentDocument, (variables) => paid(variables, { description: 'Dinner' }));
    const { events } = setup(bff);
    await fillP2P(events, '1,025.5', ' +44 7700 900123 ');
    await events.type(screen.getByRole('textbox', { name: 'Note' }), '  Dinner ');
    await proceed(events);
    const heading = await screen.findByRole('heading', { name: 'Check the payment' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    const summary = heading.parentElement!;
    expect(within(summary).getByText('+447700900123')).toBeTruthy();
    expect(within(summary).getByText('Everyday')).toBeTruthy();
    expect(within(summary).getByText('Dinner')).toBeTruthy();
    expect(bff.variablesOf(CreatePaymentDocument)).toEqual([]);

    await pay(events);
    const outcome = await screen.findByRole('status');
    expect(outcome.textContent).toContain('Paid£1,025.50 paid to Ana López.');
    expect(within(outcome).getByRole('link', { name: 'See the receipt' }).getAttribute('href')).toBe(`/payments/${payment().id}`);
    expect(bff.variablesOf(CreatePaymentDocument)).toEqual([
      { input: { kind: 'P2P', accountId: everyday.id, amount: '1025.50', currency: 'GBP', recipient: { phone: '+447700900123' }, description: 'Dinner', confirm: true } },
    ]);
    const [key] = keysSent(bff);
    expect(key).toMatch(UUID);
    // The form is ready for the next payment: the amount is cleared, and the next one is a new attempt.
    expect(screen.getByRole('textbox', { name: 'Amount' })).toHaveProperty('value', '');
    await events.type(screen.getByRole('textbox', { name: 'Amount' }), '1025.50');
    await events.type(screen.getByRole('textbox', { name: 'Note' }), 'Dinner');
    await proceed(events);
    await pay(events);
    await waitFor(() => expect(keysSent(bff)).toHaveLength(2));
    expect(keysSent(bff)[1]).not.toBe(key);
  });

  it('pays a saved payee or a biller by id', async () => {
    const bff = createFakeBff();
    bff.on(CreatePaymentDocument, (variables) => paid(variables, { kind: 'PAYOUT', counterparty: { name: 'Northwind Lettings' } }));
    const { events } = setup(bff, [everyday]);
    await events.click(await screen.findByRole('radio', { name: 'A saved payee' }));
    await choose(events, 'Payee', /^Northwind Lettings/);
    await events.type(screen.getByRole('textbox', { name: 'Amount' }), '900');
    await proceed(events);
    expect(await screen.findByText('Northwind Lettings (•••• 5678)')).toBeTruthy();
    await pay(events);
    expect((await screen.findByRole('status')).textContent).toContain('£900.00 paid to Northwind Lettings.');
    await events.click(screen.getByRole('radio', { name: 'A bill' }));
    await choose(events, 'Biller', /^Thames Water/);
    await events.type(screen.getByRole('textbox', { name: 'Amount' }), '40');
    await proceed(events);
    await pay(events);
    await waitFor(() => expect(bff.variablesOf(CreatePaymentDocument)).toHaveLength(2));
    expect(bff.variablesOf(CreatePaymentDocument).map((v) => v.input)).toEqual([
      { kind: 'PAYOUT', accountId: everyday.id, amount: '900.00', currency: 'GBP', payeeId: landlord.id, confirm: true },
      { kind: 'BILL', accountId: everyday.id, amount: '40.00', currency: 'GBP', billerId: water.id, confirm: true },
    ]);
  });

  it.each([
    ['held for review', { status: 'REQUIRES_REVIEW', reviewReasons: ['NEW_PAYEE_LARGE_FIRST_PAYMENT'] }, 'Held for review', 'A large first payment to someone you have not paid before'],
    ['on its way', { status: 'PROCESSING' }, 'On its way', 'is on its way; the receiving bank has not confirmed it yet.'],
    ['failed', { status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS', failureMessage: 'There was not enough money in the account.' }, 'Not paid', 'There was not enough money in the account. Nothing was taken'],
  ] as const)('says when a payment is %s', async (_what, outcome, title, text) => {
    const bff = createFakeBff();
    bff.on(CreatePaymentDocument, (variables) => paid(variables, outcome));
    const { events } = setup(bff);
    await fillP2P(events, '600');
    await proceed(events);
    await pay(events);
    const shown = await screen.findByRole(outcome.status === 'FAILED' ? 'alert' : 'status');
    expect(shown.textContent).toContain(title);
    expect(shown.textContent).toContain(text);
    expect(within(shown).getByRole('link', { name: 'See the receipt' })).toBeTruthy();
  });

  it('sends a retry after a network failure or SERVICE_UNAVAILABLE under the same key, and a new attempt after a definite refusal', async () => {
    const bff = createFakeBff();
    let calls = 0;
    bff.on(CreatePaymentDocument, (variables) => {
      calls += 1;
      if (calls === 1) return 'network-error';
      if (calls === 2) return refusal('SERVICE_UNAVAILABLE', 'The payment is processing.', {}, 503);
      if (calls === 3) return paid(variables);
      return refusal('IDEMPOTENCY_KEY_REUSED', 'reused');
    });
    const { events } = setup(bff);
    await fillP2P(events, '25');
    await proceed(events);
    await pay(events);
    expect((await screen.findByRole('alert')).textContent).toContain('We could not tell whether the payment went through. Press “Pay” again');
    await pay(events);
    expect((await screen.findByRole('alert')).textContent).toContain('The payment is still being processed. Press “Pay” again to see how it ended');
    await pay(events);
    expect((await screen.findByRole('status')).textContent).toContain('£25.00 paid to Ana López.');
    const keys = keysSent(bff);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);

    await events.type(screen.getByRole('textbox', { name: 'Amount' }), '25');
    await proceed(events);
    await pay(events);
    expect((await screen.findByRole('alert')).textContent).toContain('This payment was already sent with other details.');
    await pay(events);
    await waitFor(() => expect(keysSent(bff)).toHaveLength(5));
    const [, , , fourth, fifth] = keysSent(bff);
    expect(fourth).not.toBe(keys[0]);
    expect(fifth).not.toBe(fourth);
  });

  it.each([
    ['LIMIT_EXCEEDED per payment', refusal('LIMIT_EXCEEDED', 'A single payment can be at most 1000.00 GBP.', { reason: 'PER_PAYMENT', limit: '1000.00' }), 'A single payment can be at most £1,000.00.'],
    ['LIMIT_EXCEEDED daily', refusal('LIMIT_EXCEEDED', 'over', { reason: 'DAILY', limit: '2500.00' }), 'This payment would take you over your daily limit of £2,500.00.'],
    ['LIMIT_EXCEEDED monthly', refusal('LIMIT_EXCEEDED', 'over', { reason: 'MONTHLY', limit: '10000.00' }), 'over your monthly limit of £10,000.00.'],
    ['FORBIDDEN TIER_TOO_LOW', refusal('FORBIDDEN', 'Verify your identity before you pay other people.', { reason: 'TIER_TOO_LOW', tier: 'TIER_0' }, 403), 'Verify your identity before you pay other people'],
    ['FORBIDDEN', refusal('FORBIDDEN', 'scope', {}, 403), 'Your sign-in does not allow payments.'],
    ['BAD_USER_INPUT on the currency', refusal('BAD_USER_INPUT', 'Ana López has no account that receives GBP.', { field: 'currency' }), 'Ana López has no account that receives GBP.'],
    ['CONFLICT state', refusal('CONFLICT', 'not confirmable', { state: 'CANCELED' }), 'This payment can no longer go ahead: it is canceled.'],
    ['RATE_LIMITED', refusal('RATE_LIMITED', 'slow down', { retryAfter: 60 }, 429), 'Too many attempts. Try again in 1 minute.'],
    ['INTERNAL_SERVER_ERROR', { status: 500, body: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, headers: { 'x-request-id': 'req-7' } }, 'We could not tell whether the payment went through.'],
  ] as const)('explains %s above the button', async (_code, answer, message) => {
    const bff = createFakeBff();
    bff.on(CreatePaymentDocument, answer);
    const { events } = setup(bff);
    await fillP2P(events, '25');
    await proceed(events);
    await pay(events);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not paid');
    expect(alert.textContent).toContain(message);
    // Still on the payment to check, so pressing Pay again is the retry.
    expect(screen.getByRole('heading', { name: 'Check the payment' })).toBeTruthy();
  });

  it.each([
    ['NOT_FOUND on the recipient', refusal('NOT_FOUND', 'No Meridian customer has this email address or phone number.', { field: 'recipient' }), 'Their email or phone number', 'No Meridian customer has this email address or phone number.'],
    ['CONFLICT on the account', refusal('CONFLICT', 'The account is frozen.', { field: 'accountId' }), 'From', 'The account is frozen. Choose another account.'],
    ['BAD_USER_INPUT on the note', refusal('BAD_USER_INPUT', 'description must be at most 140 characters without control characters.', { field: 'description' }), 'Note', 'description must be at most 140 characters'],
  ] as const)('takes a refusal of one field (%s) back to that field', async (_what, answer, label, message) => {
    const bff = createFakeBff();
    bff.on(CreatePaymentDocument, answer);
    const { events } = setup(bff);
    await fillP2P(events, '25');
    await proceed(events);
    await pay(events);
    const input = await screen.findByRole('textbox', { name: label });
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText(new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('asks for a second factor above the threshold and sends the same payment again with the same key', async () => {
    const bff = createFakeBff();
    const steppedUp = { done: false };
    answerStepUp(bff, steppedUp);
    bff.on(CreatePaymentDocument, (variables) =>
      steppedUp.done ? paid(variables) : refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['EMAIL'], action: 'confirmPayment' }, 403),
    );
    const { events } = setup(bff);
    await fillP2P(events, '1200');
    await proceed(events);
    await pay(events);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Email me a code' }));
    await events.type(await within(dialog).findByRole('textbox', { name: '6-digit code' }), '246810');
    await events.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('status')).textContent).toContain('£1,200.00 paid to Ana López.');
    const keys = keysSent(bff);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('keeps the refusal when the second factor is not given', async () => {
    const bff = createFakeBff();
    bff.on(CreatePaymentDocument, refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['TOTP'] }, 403));
    const { events } = setup(bff);
    await fillP2P(events, '1200');
    await proceed(events);
    await pay(events);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('A payment this large needs you to confirm it is you with a second factor.');
    expect(bff.variablesOf(CreatePaymentDocument)).toHaveLength(1);
  });
});
