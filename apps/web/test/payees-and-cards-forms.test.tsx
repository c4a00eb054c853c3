/** @jest-environment jsdom */
import './support/dom-setup';
import { AddCardDocument, CreateBillerDocument, CreatePayeeDocument, CreatePaymentDocument, SavedDestinationsDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BillerForm } from '../src/payments/biller-form';
import { CardForm, cardExpiryProblem } from '../src/payments/card-form';
import { PayeeForm } from '../src/payments/payee-form';
import { TopUpForm } from '../src/payments/top-up-form';
import { account } from './support/accounts';
import { createFakeBff, data, refusal, type FakeBff } from './support/fake-bff';
import { answerStepUp, card, payee, payment, renderWithRouter } from './support/payments';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const saved = (bff: FakeBff) => bff.on(SavedDestinationsDocument, data({ me: { id: 'user-1', payees: [], billers: [], cards: [] } }));
const box = (name: string) => screen.getByRole('textbox', { name });

describe('the payee form', () => {
  function setup(bff: FakeBff) {
    saved(bff);
    const onAdded = jest.fn();
    renderWithApp(<PayeeForm onAdded={onAdded} />, bff);
    return { onAdded, events: userEvent.setup() };
  }
  const add = (events: Events) => events.click(screen.getByRole('button', { name: 'Add payee' }));

  it('checks the name and the UK or IBAN details before sending anything', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await add(events);
    expect(await screen.findByText('Enter a name.')).toBeTruthy();
    expect(screen.getByText('Enter the six-digit sort code, such as 12-34-56.')).toBeTruthy();
    expect(screen.getByText('Enter the eight-digit account number.')).toBeTruthy();
    await events.type(box('Sort code'), '12-34-5');
    await events.type(box('Account number'), '1234567');
    await add(events);
    expect(await screen.findByText('Enter the six-digit sort code, such as 12-34-56.')).toBeTruthy();

    await events.click(screen.getByRole('radio', { name: 'IBAN' }));
    await events.type(box("Payee's name"), 'Hans Huber');
    // One digit off: the check digits do not add up.
    await events.type(box('IBAN'), 'DE89 3704 0044 0532 0130 01');
    await events.type(box('BIC'), 'NOTABIC');
    await add(events);
    expect(await screen.findByText('This is not a valid IBAN: check it against the payee’s bank details.')).toBeTruthy();
    expect(screen.getByText('A BIC has 8 or 11 letters and digits, such as NWBKGB2L.')).toBeTruthy();
    expect(bff.variablesOf(CreatePayeeDocument)).toEqual([]);
  });

  it('saves a UK payee and an IBAN payee with their details as the API takes them', async () => {
    const bff = createFakeBff();
    bff.on(CreatePayeeDocument, (variables) => data({ createPayee: payee('payee-new', String((variables.input as { name: string }).name)) }));
    const { events, onAdded } = setup(bff);
    await events.type(box("Payee's name"), '  Northwind Lettings ');
    await events.type(box('Sort code'), '12-34-56');
    await events.type(box('Account number'), '1234 5678');
    await add(events);
    await waitFor(() => expect(onAdded).toHaveBeenCalledTimes(1));
    expect(box("Payee's name")).toHaveProperty('value', '');

    await events.click(screen.getByRole('radio', { name: 'IBAN' }));
    await events.type(box("Payee's name"), 'Hans Huber');
    await events.type(box('IBAN'), 'de89 3704 0044 0532 0130 00');
    await events.type(box('BIC'), 'cobadeffxxx');
    await add(events);
    await waitFor(() => expect(onAdded).toHaveBeenCalledTimes(2));
    expect(bff.variablesOf(CreatePayeeDocument)).toEqual([
      { input: { name: 'Northwind Lettings', sortCode: '12-34-56', accountNumber: '12345678' } },
      { input: { name: 'Hans Huber', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' } },
    ]);
  });

  it('asks for a second factor when the API wants one, then saves the payee', async () => {
    const bff = createFakeBff();
    const steppedUp = { done: false };
    answerStepUp(bff, steppedUp);
    bff.on(CreatePayeeDocument, () =>
      steppedUp.done ? data({ createPayee: payee('payee-new', 'Northwind Lettings') }) : refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['EMAIL'] }, 403),
    );
    const { events, onAdded } = setup(bff);
    await events.type(box("Payee's name"), 'Northwind Lettings');
    await events.type(box('Sort code'), '123456');
    await events.type(box('Account number'), '12345678');
    await add(events);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Email me a code' }));
    await events.type(await within(dialog).findByRole('textbox', { name: '6-digit code' }), '000000');
    await events.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByText(/That code is not right, or it has expired. 4 attempts left./)).toBeTruthy();
    await events.clear(within(dialog).getByRole('textbox', { name: '6-digit code' }));
    await events.type(within(dialog).getByRole('textbox', { name: '6-digit code' }), '246810');
    await events.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(onAdded).toHaveBeenCalledTimes(1));
    expect(bff.variablesOf(CreatePayeeDocument)).toHaveLength(2);
  });

  it('offers only the second factors the user has, whatever the challenge lists', async () => {
    const bff = createFakeBff();
    answerStepUp(bff, { done: false }, ['EMAIL', 'RECOVERY_CODE']);
    bff.on(CreatePayeeDocument, refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'] }, 403));
    const { events } = setup(bff);
    await events.type(box("Payee's name"), 'Northwind Lettings');
    await events.type(box('Sort code'), '123456');
    await events.type(box('Account number'), '12345678');
    await add(events);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    expect(await within(dialog).findByRole('radio', { name: 'A code by email' })).toHaveProperty('checked', true);
    expect(within(dialog).getByRole('radio', { name: 'A recovery code' })).toBeTruthy();
    expect(within(dialog).queryByRole('radio', { name: 'Authenticator app' })).toBeNull();
    expect(within(dialog).queryByRole('radio', { name: 'A code by text message' })).toBeNull();
  });

  it.each([
    ['a cancelled second factor', refusal('STEP_UP_REQUIRED', 'step up', { maxAgeSeconds: 300, methods: ['TOTP'] }, 403), 'Adding a payee needs you to confirm it is you with a second factor'],
    ['too many payees', refusal('CONFLICT', 'You may keep 50 payees.', { reason: 'TOO_MANY', limit: 50 }), 'You can keep 50 payees. Remove one you no longer pay first.'],
    ['both kinds of details', refusal('BAD_USER_INPUT', 'Give either an IBAN or a UK sort code and account number, not both.', { fields: ['iban', 'sortCode', 'accountNumber'] }), 'Give either an IBAN or a UK sort code'],
  ] as const)('explains %s', async (what, answer, message) => {
    const bff = createFakeBff();
    bff.on(CreatePayeeDocument, answer);
    const { events } = setup(bff);
    await events.type(box("Payee's name"), 'Northwind Lettings');
    await events.type(box('Sort code'), '123456');
    await events.type(box('Account number'), '12345678');
    await add(events);
    if (what === 'a cancelled second factor') await events.click(await within(await screen.findByRole('dialog')).findByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain(message);
  });

  it('shows the API’s refusal of one field under it', async () => {
    const bff = createFakeBff();
    bff.on(CreatePayeeDocument, refusal('BAD_USER_INPUT', 'The sort code must be six digits, such as 12-34-56.', { field: 'sortCode' }));
    const { events } = setup(bff);
    await events.type(box("Payee's name"), 'Northwind Lettings');
    await events.type(box('Sort code'), '123456');
    await events.type(box('Account number'), '12345678');
    await add(events);
    await waitFor(() => expect(box('Sort code').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('the biller form', () => {
  it('checks the code and the reference, then saves the biller with its code in capitals', async () => {
    const bff = createFakeBff();
    saved(bff);
    bff.on(CreateBillerDocument, data({ createBiller: { id: 'biller-1', name: 'Thames Water', billerCode: 'THAMES', maskedReference: '•••• 6789', createdAt: '2026-12-07T10:00:00.000Z' } }));
    renderWithApp(<BillerForm />, bff);
    const events = userEvent.setup();
    await events.click(screen.getByRole('button', { name: 'Add biller' }));
    expect(await screen.findByText('Enter the biller code from your bill: 3 to 20 letters and digits.')).toBeTruthy();
    expect(screen.getByText('Enter your reference with the biller, such as your customer number.')).toBeTruthy();
    await events.type(box("Biller's name"), 'Thames Water');
    await events.type(box('Biller code'), 'th-1');
    await events.type(box('Your reference'), '123456789');
    await events.click(screen.getByRole('button', { name: 'Add biller' }));
    expect(await screen.findByText('Enter the biller code from your bill: 3 to 20 letters and digits.')).toBeTruthy();
    await events.clear(box('Biller code'));
    await events.type(box('Biller code'), 'thames');
    await events.click(screen.getByRole('button', { name: 'Add biller' }));
    await waitFor(() => expect(bff.variablesOf(CreateBillerDocument)).toEqual([{ input: { name: 'Thames Water', billerCode: 'THAMES', reference: '123456789' } }]));
  });
});

describe('the card form', () => {
  async function fill(events: Events, number: string, month: string, year: string, cvc: string) {
    await events.type(box('Card number'), number);
    await events.click(box('Expiry month'));
    await events.click(await screen.findByRole('option', { name: month }));
    await events.type(box('Expiry year'), year);
    await events.type(box('Security code'), cvc);
    await events.click(screen.getByRole('button', { name: 'Add card' }));
  }

  it('checks the number (Luhn), the expiry and the security code before sending anything', async () => {
    const bff = createFakeBff();
    renderWithApp(<CardForm />, bff);
    const events = userEvent.setup();
    await fill(events, '4242 4242 4242 4241', '01', '2020', '12');
    expect(await screen.findByText('This is not a valid card number: check the long number on the card.')).toBeTruthy();
    expect(screen.getByText('This card has expired.')).toBeTruthy();
    expect(screen.getByText('Enter the 3-digit security code.')).toBeTruthy();
    await events.clear(box('Card number'));
    await events.type(box('Card number'), '3782 822463 10005');
    await events.click(screen.getByRole('button', { name: 'Add card' }));
    expect(await screen.findByText('Enter the 4-digit security code.')).toBeTruthy();
    expect(bff.calls).toEqual([]);
    expect(cardExpiryProblem('12', '30', new Date(2026, 11, 7))).toBeNull();
    expect(cardExpiryProblem('11', '2026', new Date(2026, 11, 7))).toBe('This card has expired.');
    expect(cardExpiryProblem('13', '2030')).toBe('Enter the expiry month and year shown on the card.');
  });

  it('sends the card to be saved, and shows the provider’s refusal under its field', async () => {
    const bff = createFakeBff();
    saved(bff);
    let first = true;
    bff.on(AddCardDocument, () => {
      if (first) {
        first = false;
        return refusal('BAD_USER_INPUT', 'The expiry date is not valid.', { field: 'expiry' });
      }
      return refusal('SERVICE_UNAVAILABLE', 'provider down', {}, 503);
    });
    renderWithApp(<CardForm />, bff);
    const events = userEvent.setup();
    await fill(events, '4242 4242 4242 4242', '12', '31', '123');
    await waitFor(() => expect(box('Expiry year').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('The expiry date is not valid.')).toBeTruthy();
    await events.click(screen.getByRole('button', { name: 'Add card' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The card could not be checked just now, and nothing was saved.');
    expect(bff.variablesOf(AddCardDocument)[0]).toEqual({ input: { number: '4242424242424242', expMonth: 12, expYear: 2031, cvc: '123' } });
  });
});

describe('the top-up form', () => {
  const everyday = account('acc-everyday', 'Everyday', 'GBP', '10.00');

  it('tops an account up from a card under one Idempotency-Key per attempt, and says how it went', async () => {
    const bff = createFakeBff();
    let calls = 0;
    bff.on(CreatePaymentDocument, (variables) => {
      calls += 1;
      if (calls === 1) return 'network-error';
      const input = variables.input as { amount: string };
      return calls === 2
        ? data({ createPayment: payment({ kind: 'CARD', counterparty: { name: 'Visa •••• 4242' }, amount: { amount: input.amount, currency: 'GBP' } }) })
        : data({ createPayment: payment({ kind: 'CARD', status: 'FAILED', failureCode: 'card_declined', failureMessage: 'The card was declined.' }) });
    });
    const { events } = renderWithRouter(<TopUpForm accounts={[everyday]} cards={[card('card-1', '4242')]} />, bff);
    await events.click(await screen.findByRole('button', { name: 'Top up' }));
    expect(await screen.findByText('Enter an amount.')).toBeTruthy();
    await events.type(box('Amount'), '50');
    await events.click(screen.getByRole('button', { name: 'Top up' }));
    expect((await screen.findByRole('alert')).textContent).toContain('We could not tell whether the payment went through. Press “Top up” again');
    await events.click(screen.getByRole('button', { name: 'Top up' }));
    expect((await screen.findByRole('status')).textContent).toContain('Topped up£50.00 added from Visa •••• 4242.');
    await events.type(box('Amount'), '5');
    await events.click(screen.getByRole('button', { name: 'Top up' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The card was declined. Nothing was added to your account.');
    expect(bff.variablesOf(CreatePaymentDocument).map((v) => v.input)).toEqual([
      { kind: 'CARD', cardId: 'card-1', accountId: everyday.id, amount: '50.00', currency: 'GBP', confirm: true },
      { kind: 'CARD', cardId: 'card-1', accountId: everyday.id, amount: '50.00', currency: 'GBP', confirm: true },
      { kind: 'CARD', cardId: 'card-1', accountId: everyday.id, amount: '5.00', currency: 'GBP', confirm: true },
    ]);
    const keys = bff.calls.filter((c) => c.path === '/graphql').map((c) => c.headers['idempotency-key']);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });
});
