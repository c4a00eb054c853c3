/** @jest-environment jsdom */
import './support/dom-setup';
import { OpenAccountDocument } from '@meridian/client/web';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OpenAccountForm } from '../src/accounts/open-account-form';
import { account } from './support/accounts';
import { createFakeBff, data, refusal, type FakeBff } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;

function setup(bff: FakeBff) {
  const onOpened = jest.fn();
  renderWithApp(<OpenAccountForm onOpened={onOpened} />, bff);
  return { onOpened, events: userEvent.setup() };
}

async function choose(events: Events, label: 'Type of account' | 'Currency', option: RegExp) {
  await events.click(screen.getByRole('textbox', { name: label }));
  await events.click(await screen.findByRole('option', { name: option }));
}

const open = (events: Events) => events.click(screen.getByRole('button', { name: 'Open the account' }));

describe('the open-account form', () => {
  it('asks for a type and a currency, offers no loans, and sends nothing until both are chosen', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await open(events);
    expect(await screen.findByText('Choose what the account is for.')).toBeTruthy();
    expect(screen.getByText('Choose the currency it holds.')).toBeTruthy();
    await events.click(screen.getByRole('textbox', { name: 'Type of account' }));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['Current account', 'Savings', 'Wallet']);
    expect(bff.calls).toEqual([]);
  });

  it('opens the account with the name trimmed, or none when it is left empty', async () => {
    const bff = createFakeBff();
    const opened = account('acc-new', 'Holiday fund', 'EUR', '0.00', { type: 'SAVINGS' });
    bff.on(OpenAccountDocument, data({ openAccount: opened }));
    const { events, onOpened } = setup(bff);
    await choose(events, 'Type of account', /^Savings$/);
    await choose(events, 'Currency', /^EUR/);
    await events.type(screen.getByRole('textbox', { name: 'Name' }), '  Holiday fund ');
    await open(events);
    await waitFor(() => expect(onOpened).toHaveBeenCalledWith(opened));
    expect(bff.variablesOf(OpenAccountDocument)).toEqual([{ input: { type: 'SAVINGS', currency: 'EUR', name: 'Holiday fund' } }]);

    await events.clear(screen.getByRole('textbox', { name: 'Name' }));
    await events.type(screen.getByRole('textbox', { name: 'Name' }), '   ');
    await open(events);
    await waitFor(() => expect(bff.variablesOf(OpenAccountDocument)).toHaveLength(2));
    expect(bff.variablesOf(OpenAccountDocument)[1]).toEqual({ input: { type: 'SAVINGS', currency: 'EUR' } });
  });

  it('refuses a name with invisible characters before sending it, as banking would', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await choose(events, 'Type of account', /^Current account$/);
    await choose(events, 'Currency', /^GBP/);
    await events.type(screen.getByRole('textbox', { name: 'Name' }), 'Bills\u200b');
    await open(events);
    expect(await screen.findByText('Use letters, digits, spaces and punctuation only.')).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('shows a refusal of the name under the name', async () => {
    const bff = createFakeBff();
    bff.on(OpenAccountDocument, refusal('BAD_USER_INPUT', 'name is 1 to 60 printable characters.', { field: 'name' }));
    const { events, onOpened } = setup(bff);
    await choose(events, 'Type of account', /^Current account$/);
    await choose(events, 'Currency', /^GBP/);
    await events.type(screen.getByRole('textbox', { name: 'Name' }), 'Bills');
    await open(events);
    expect(await screen.findByText('name is 1 to 60 printable characters.')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid')).toBe('true');
    expect(onOpened).not.toHaveBeenCalled();
  });

  it.each([
    ['FORBIDDEN', refusal('FORBIDDEN', 'Loan accounts are opened by the bank.', {}, 403), 'This kind of account is opened by the bank.'],
    ['RATE_LIMITED', refusal('RATE_LIMITED', 'slow down', { retryAfter: 120 }, 429), 'Too many attempts. Try again in 2 minutes.'],
    ['SERVICE_UNAVAILABLE', refusal('SERVICE_UNAVAILABLE', 'busy', {}, 503), 'Meridian is busy right now. Try again in a moment.'],
    ['a lost connection', 'network-error' as const, 'We could not reach Meridian. Check your connection and try again.'],
  ])('explains %s', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.on(OpenAccountDocument, answer);
    const { events } = setup(bff);
    await choose(events, 'Type of account', /^Wallet$/);
    await choose(events, 'Currency', /^USD/);
    await open(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
  });
});
