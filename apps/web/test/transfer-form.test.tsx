/** @jest-environment jsdom */
import './support/dom-setup';
import { RequestStepUpCodeDocument, TransferBetweenOwnAccountsDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TransferForm } from '../src/transfers/transfer-form';
import { account } from './support/accounts';
import { createFakeBff, data, refusal, type FakeAnswer, type FakeBff } from './support/fake-bff';
import { renderWithApp } from './support/render-with-app';

const current = account('acc-current', 'Current account', 'GBP', '1200.00');
const savings = account('acc-savings', 'Savings', 'GBP', '50.00', { type: 'SAVINGS' });
const wallet = account('acc-wallet', 'Euro wallet', 'EUR', '80.00', { type: 'WALLET' });
const closed = account('acc-closed', 'Old savings', 'GBP', '0.00', { status: 'CLOSED' });
const yen = account('acc-yen', 'Tokyo', 'JPY', '15000');
const yenToo = account('acc-yen-2', 'Tokyo savings', 'JPY', '0');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const moved = (variables: Record<string, unknown>): FakeAnswer => {
  const input = variables.input as { transferId: string; amount: string; fromAccountId: string; toAccountId: string };
  return data({
    transferBetweenOwnAccounts: {
      id: input.transferId,
      status: 'POSTED',
      code: 'TRANSFER',
      description: '',
      createdAt: '2026-12-07T10:00:00.000Z',
      amount: { amount: input.amount, currency: 'GBP' },
      fromAccount: { id: input.fromAccountId, balance: { available: { amount: '1174.50', currency: 'GBP' } } },
      toAccount: { id: input.toAccountId, balance: { available: { amount: '75.50', currency: 'GBP' } } },
    },
  });
};

function setup(bff: FakeBff, accounts = [current, savings, wallet, closed], defaultFromId?: string) {
  const onTransferred = jest.fn();
  renderWithApp(<TransferForm accounts={accounts} defaultFromId={defaultFromId} onTransferred={onTransferred} />, bff);
  return { onTransferred, events: userEvent.setup() };
}

type Events = ReturnType<typeof userEvent.setup>;

async function choose(events: Events, label: 'From' | 'To', option: RegExp) {
  await events.click(screen.getByRole('textbox', { name: label }));
  await events.click(await screen.findByRole('option', { name: option }));
}

async function fillTransfer(events: Events, amount: string, note = '') {
  await choose(events, 'From', /^Current account/);
  await choose(events, 'To', /^Savings/);
  await events.type(screen.getByRole('textbox', { name: 'Amount' }), amount);
  if (note) await events.type(screen.getByRole('textbox', { name: 'Note' }), note);
}

const send = (events: Events) => events.click(screen.getByRole('button', { name: 'Move money' }));

describe('the transfer form', () => {
  it('checks the accounts and the amount before sending anything', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff);
    await send(events);
    expect(await screen.findByText('Choose the account the money leaves.')).toBeTruthy();
    expect(screen.getByText('Choose the account the money goes to.')).toBeTruthy();

    await choose(events, 'From', /^Current account/);
    // Only open accounts in the same currency, other than the source, can receive.
    await events.click(screen.getByRole('textbox', { name: 'To' }));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['Savings · £50.00']);
    await events.click(screen.getByRole('option', { name: /^Savings/ }));

    const amount = screen.getByRole('textbox', { name: 'Amount' });
    for (const [typed, problem] of [
      ['', 'Enter an amount.'],
      ['abc', 'Enter an amount like 25 or 25.50.'],
      ['0.00', 'Enter an amount greater than zero.'],
      ['12.345', 'This currency does not have that many decimal places.'],
      ['99999999999999999999', 'That amount is too large.'],
    ]) {
      await events.clear(amount);
      if (typed) await events.type(amount, typed);
      await send(events);
      expect(await screen.findByText(problem)).toBeTruthy();
    }
    expect(bff.calls).toEqual([]);
  });

  it('knows a currency without decimals', async () => {
    const bff = createFakeBff();
    const { events } = setup(bff, [yen, yenToo]);
    await choose(events, 'From', /^Tokyo ·/);
    await choose(events, 'To', /^Tokyo savings/);
    await events.type(screen.getByRole('textbox', { name: 'Amount' }), '12.5');
    await send(events);
    expect(await screen.findByText('This currency does not have that many decimal places.')).toBeTruthy();
    expect(bff.calls).toEqual([]);
  });

  it('moves the money with a fresh transferId per transfer and says so', async () => {
    const bff = createFakeBff();
    bff.on(TransferBetweenOwnAccountsDocument, moved);
    const { events, onTransferred } = setup(bff, [current, savings, wallet], current.id);
    await choose(events, 'To', /^Savings/);
    await events.type(screen.getByRole('textbox', { name: 'Amount' }), '1,025.5');
    await events.type(screen.getByRole('textbox', { name: 'Note' }), '  Rainy day  ');
    await send(events);
    expect((await screen.findByRole('status')).textContent).toBe('Money moved£1,025.50 moved from Current account to Savings.');
    await waitFor(() => expect(onTransferred).toHaveBeenCalledTimes(1));
    const [first] = bff.variablesOf(TransferBetweenOwnAccountsDocument);
    expect(first).toEqual({ input: { transferId: expect.stringMatching(UUID), fromAccountId: current.id, toAccountId: savings.id, amount: '1025.50', description: 'Rainy day' } });
    // The amount and note are cleared; the same transfer again is a new one.
    expect(screen.getByRole('textbox', { name: 'Amount' })).toHaveProperty('value', '');
    await events.type(screen.getByRole('textbox', { name: 'Amount' }), '1025.50');
    await events.type(screen.getByRole('textbox', { name: 'Note' }), 'Rainy day');
    await send(events);
    await waitFor(() => expect(bff.variablesOf(TransferBetweenOwnAccountsDocument)).toHaveLength(2));
    const second = bff.variablesOf(TransferBetweenOwnAccountsDocument)[1].input as { transferId: string };
    expect(second.transferId).toMatch(UUID);
    expect(second.transferId).not.toBe((first.input as { transferId: string }).transferId);
  });

  it('sends a retry after a network failure with the same transferId, so the money moves once', async () => {
    const bff = createFakeBff();
    let attempt = 0;
    bff.on(TransferBetweenOwnAccountsDocument, (variables) => (++attempt === 1 ? 'network-error' : attempt === 2 ? refusal('SERVICE_UNAVAILABLE', 'busy', {}, 503) : moved(variables)));
    const { events } = setup(bff);
    await fillTransfer(events, '25');
    await send(events);
    expect((await screen.findByRole('alert')).textContent).toContain('We could not tell whether the money moved. Press “Move money” again');
    await send(events);
    expect((await screen.findByRole('alert')).textContent).toContain('The bank could not make the transfer just now, and no money moved.');
    await send(events);
    expect(await screen.findByText(/moved from Current account to Savings/)).toBeTruthy();
    const ids = bff.variablesOf(TransferBetweenOwnAccountsDocument).map((v) => (v.input as { transferId: string }).transferId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it('starts a new attempt with a new transferId after a definite refusal, or when the transfer changes', async () => {
    const bff = createFakeBff();
    bff.on(TransferBetweenOwnAccountsDocument, (variables) => ((variables.input as { amount: string }).amount === '5000.00' ? refusal('INSUFFICIENT_FUNDS', 'Insufficient funds') : 'network-error'));
    const { events } = setup(bff);
    await fillTransfer(events, '5000');
    await send(events);
    expect((await screen.findByRole('alert')).textContent).toContain('There is not enough money in Current account for this transfer.');
    await send(events);
    await waitFor(() => expect(bff.variablesOf(TransferBetweenOwnAccountsDocument)).toHaveLength(2));
    const amount = screen.getByRole('textbox', { name: 'Amount' });
    await events.clear(amount);
    await events.type(amount, '40');
    await send(events);
    await waitFor(() => expect(bff.variablesOf(TransferBetweenOwnAccountsDocument)).toHaveLength(3));
    const ids = bff.variablesOf(TransferBetweenOwnAccountsDocument).map((v) => (v.input as { transferId: string }).transferId);
    expect(new Set(ids).size).toBe(3);
  });

  it.each([
    ['CONFLICT', refusal('CONFLICT', 'Account is frozen'), 'One of these accounts is closed or frozen, so money cannot move between them.'],
    ['NOT_FOUND', refusal('NOT_FOUND', 'Account not found.'), 'One of these accounts could not be found. It may have been closed: reload your accounts.'],
    ['IDEMPOTENCY_KEY_REUSED', refusal('IDEMPOTENCY_KEY_REUSED', 'reused'), 'This transfer was already sent with other details. Check the history before trying again.'],
    ['RATE_LIMITED', refusal('RATE_LIMITED', 'slow down', { retryAfter: 30 }, 429), 'Too many attempts. Try again in 30 seconds.'],
    ['FORBIDDEN', refusal('FORBIDDEN', 'scope', {}, 403), 'Your sign-in does not allow moving money.'],
    ['LIMIT_EXCEEDED', refusal('LIMIT_EXCEEDED', 'limit'), 'This transfer is over your limit.'],
    ['INTERNAL_SERVER_ERROR', { status: 500, body: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, headers: { 'x-request-id': 'req-9' } }, 'We could not tell whether the money moved.'],
    ['BAD_USER_INPUT without a field', refusal('BAD_USER_INPUT', 'Both accounts must hold the same currency (GBP and EUR); use a currency exchange instead.'), 'Both accounts must hold the same currency (GBP and EUR)'],
  ] as const)('explains %s', async (_code, answer, message) => {
    const bff = createFakeBff();
    bff.on(TransferBetweenOwnAccountsDocument, answer);
    const { events } = setup(bff);
    await fillTransfer(events, '25');
    await send(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
  });

  it('shows a refusal that names a field under that field', async () => {
    const bff = createFakeBff();
    bff.on(TransferBetweenOwnAccountsDocument, refusal('BAD_USER_INPUT', 'description is at most 140 printable characters.', { field: 'description' }));
    const { events } = setup(bff);
    await fillTransfer(events, '25', 'A note');
    await send(events);
    const note = screen.getByRole('textbox', { name: 'Note' });
    await waitFor(() => expect(note.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('description is at most 140 printable characters.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('asks for a second factor on STEP_UP_REQUIRED, steps the session up and resends the same transfer', async () => {
    const bff = createFakeBff();
    let steppedUp = false;
    bff.on(TransferBetweenOwnAccountsDocument, (variables) =>
      steppedUp ? moved(variables) : refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['EMAIL'], action: 'transferBetweenOwnAccounts' }, 403),
    );
    bff.on(RequestStepUpCodeDocument, data({ requestStepUpCode: { channel: 'EMAIL', sentTo: 'a***@example.com', expiresAt: '2026-12-07T10:05:00.000Z', resendAfter: '2026-12-07T10:00:30.000Z' } }));
    bff.onRoute('POST /auth/step-up', (body) => {
      steppedUp = body?.code === '246810';
      return steppedUp ? { body: { session: {}, amr: ['pwd', 'otp'], authTime: '2026-12-07T10:00:00.000Z' } } : refusal('INVALID_CODE', 'Wrong code', { attemptsRemaining: 4 }, 400);
    });
    const { events } = setup(bff);
    await fillTransfer(events, '25');
    await send(events);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Email me a code' }));
    expect(await within(dialog).findByText('We sent a code to a***@example.com.')).toBeTruthy();
    await events.type(within(dialog).getByRole('textbox', { name: '6-digit code' }), '246810');
    await events.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText(/moved from Current account to Savings/)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    const ids = bff.variablesOf(TransferBetweenOwnAccountsDocument).map((v) => (v.input as { transferId: string }).transferId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    expect(bff.calls.find((c) => c.path === '/auth/step-up')?.body).toEqual({ method: 'EMAIL', code: '246810' });
  });

  it('keeps the refusal when the step-up is cancelled', async () => {
    const bff = createFakeBff();
    bff.on(TransferBetweenOwnAccountsDocument, refusal('STEP_UP_REQUIRED', 'A recent second factor is required.', { maxAgeSeconds: 300, methods: ['TOTP'] }, 403));
    const { events } = setup(bff);
    await fillTransfer(events, '25');
    await send(events);
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await events.click(await within(dialog).findByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This transfer needs you to confirm it is you.');
    expect(bff.variablesOf(TransferBetweenOwnAccountsDocument)).toHaveLength(1);
  });
});
