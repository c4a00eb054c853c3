/** @jest-environment jsdom */
import './support/dom-setup';
import { AccountsDocument, CancelPaymentDocument, DeletePayeeDocument, PaymentDocument, PaymentLimitsDocument, PaymentsDocument, SavedDestinationsDocument } from '@meridian/client/web';
import { screen, waitFor, within } from '@testing-library/react';
import { account } from './support/accounts';
import { createFakeBff, data, refusal } from './support/fake-bff';
import { openAppAt, signedInAs } from './support/open-app-at';
import { payee, payment } from './support/payments';

// The payments screens as the app routes them, over the fake BFF.

/** The first wait of a test: the screen's module loads lazily, slowly on a busy machine. */
const loaded = { timeout: 15_000 };

const held = payment({ status: 'REQUIRES_REVIEW', amount: { amount: '600.00', currency: 'GBP' }, reviewReasons: ['NEW_PAYEE_LARGE_FIRST_PAYMENT'], description: 'Deposit' });

const detail = (overrides = {}) => ({
  ...held,
  account: { id: 'acc-everyday', name: 'Everyday' },
  transfer: { id: '0190f1c2-6a1b-7c3d-8e4f-0000000000aa', status: 'PENDING' },
  history: [
    { from: null, to: 'REQUIRES_CONFIRMATION', actor: 'CUSTOMER', reason: 'created', at: '2026-12-07T10:00:00.000Z' },
    { from: 'REQUIRES_CONFIRMATION', to: 'REQUIRES_REVIEW', actor: 'SYSTEM', reason: 'held for review: NEW_PAYEE_LARGE_FIRST_PAYMENT', at: '2026-12-07T10:00:01.000Z' },
  ],
  ...overrides,
});

describe('the payments screens', () => {
  it('list payments sent and received, newest first, each linking to its receipt', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    bff.on(
      PaymentsDocument,
      data({
        payments: {
          edges: [
            { cursor: 'c1', node: payment({ id: 'p-1', received: true, counterparty: { name: 'Ben Sender' } }) },
            { cursor: 'c2', node: payment({ id: 'p-2', status: 'REQUIRES_REVIEW' }) },
            { cursor: 'c3', node: payment({ id: 'p-3', kind: 'CARD', counterparty: { name: 'Visa •••• 4242' } }) },
          ],
          pageInfo: { hasNextPage: false, endCursor: 'c3' },
        },
      }),
    );
    openAppAt('/payments', bff);
    const list = await screen.findByRole('list', { name: 'Payments' }, loaded);
    const rows = within(list).getAllByTestId('payment');
    expect(rows.map((r) => within(r).getByRole('link').textContent)).toEqual(['From Ben Sender', 'To Ana López', 'Top-up from Visa •••• 4242']);
    expect(rows.map((r) => within(r).getByTestId('payment-amount').textContent)).toEqual(['+£25.00', '-£25.00', '+£25.00']);
    expect(within(rows[1]).getByText('Held for review')).toBeTruthy();
    expect(within(rows[1]).getByRole('link').getAttribute('href')).toBe('/payments/p-2');
    const section = screen.getByRole('navigation', { name: 'Payments' });
    expect(within(section).getByRole('link', { name: 'Payments' }).getAttribute('aria-current')).toBe('page');
  });

  it('show a receipt with its status history, and cancel a payment held for review', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    let canceled = false;
    bff.on(PaymentDocument, () =>
      data({
        payment: canceled
          ? detail({
              status: 'CANCELED',
              history: [...detail().history, { from: 'REQUIRES_REVIEW', to: 'CANCELED', actor: 'CUSTOMER', reason: 'canceled by the customer', at: '2026-12-07T10:05:00.000Z' }],
            })
          : detail(),
      }),
    );
    bff.on(CancelPaymentDocument, (variables) => {
      canceled = true;
      return data({ cancelPayment: payment({ id: String(variables.id), status: 'CANCELED' }) });
    });
    bff.on(PaymentsDocument, data({ payments: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } }));
    bff.on(AccountsDocument, data({ me: { id: 'user-1', accounts: [account('acc-everyday', 'Everyday', 'GBP', '400.00')] } }));
    bff.on(PaymentLimitsDocument, refusal('SERVICE_UNAVAILABLE', 'busy', {}, 503));
    const { events } = openAppAt(`/payments/${held.id}`, bff);
    expect(await screen.findByRole('heading', { name: 'Payment to Ana López' }, loaded)).toBeTruthy();
    expect(screen.getByTestId('payment-status').textContent).toBe('Held for review');
    const note = screen.getByRole('status');
    expect(note.textContent).toContain('Held for a compliance review');
    expect(note.textContent).toContain('A large first payment to someone you have not paid before');
    expect(screen.getByTestId('receipt-amount').textContent).toBe('-£600.00');
    expect(screen.getByText('Everyday')).toBeTruthy();
    expect(screen.getByText('Deposit')).toBeTruthy();
    expect(screen.getAllByTestId('history-entry').map((e) => e.textContent)).toEqual([
      expect.stringContaining('Awaiting confirmationYou: created'),
      expect.stringContaining('Held for reviewMeridian: held for review'),
    ]);
    expect(screen.getByRole('button', { name: 'Print' })).toBeTruthy();

    await events.click(screen.getByRole('button', { name: 'Cancel payment' }));
    await events.click(await screen.findByRole('button', { name: 'Yes, cancel it' }));
    await waitFor(() => expect(screen.getByTestId('payment-status').textContent).toBe('Cancelled'));
    expect(screen.getAllByTestId('history-entry')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Cancel payment' })).toBeNull();
    expect(bff.variablesOf(CancelPaymentDocument)).toEqual([{ id: held.id }]);
    expect(bff.calls.find((c) => c.body?.variables && (c.body.variables as { id?: string }).id === held.id && c.headers['idempotency-key'])).toBeTruthy();
  });

  it('say when a receipt does not exist', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    bff.on(PaymentDocument, refusal('NOT_FOUND', 'Payment not found.'));
    openAppAt('/payments/0190f1c2-6a1b-7c3d-8e4f-00000000ffff', bff);
    expect(await screen.findByRole('heading', { name: 'Payment not found' }, loaded)).toBeTruthy();
    expect(screen.getByText('None of your payments has this address.')).toBeTruthy();
  });

  it('show the limits of the tier: per payment, used and left today and this month', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    bff.on(AccountsDocument, data({ me: { id: 'user-1', accounts: [account('acc-everyday', 'Everyday', 'GBP', '400.00'), account('acc-euro', 'Euro', 'EUR', '10.00')] } }));
    bff.on(PaymentLimitsDocument, (variables) =>
      data({
        me: {
          id: 'user-1',
          paymentLimits: {
            currency: variables.currency,
            tier: 'TIER_1',
            perPayment: { amount: '1000.00' },
            usedToday: { amount: '65.00' },
            remainingToday: { amount: '2435.00' },
            usedThisMonth: { amount: '265.00' },
            remainingThisMonth: { amount: '9735.00' },
            nextPaymentMax: { amount: '1000.00' },
          },
        },
      }),
    );
    const { events } = openAppAt('/payments/limits', bff);
    expect((await screen.findByTestId('limits-tier', {}, loaded)).textContent).toBe('Tier 1');
    expect(screen.getByTestId('limits-per-payment').textContent).toBe('£1,000.00');
    expect(screen.getByTestId('limits-today-used').textContent).toBe('£65.00 used of £2,500.00');
    expect(screen.getByTestId('limits-today-left').textContent).toBe('£2,435.00 left');
    expect(screen.getByTestId('limits-month-used').textContent).toBe('£265.00 used of £10,000.00');
    expect(screen.getByRole('progressbar', { name: 'Today: 2% used' })).toBeTruthy();
    await events.click(screen.getByRole('textbox', { name: 'Currency' }));
    await events.click(await screen.findByRole('option', { name: 'EUR' }));
    await waitFor(() => expect(screen.getByTestId('limits-per-payment').textContent).toBe('€1,000.00'));
    expect(bff.variablesOf(PaymentLimitsDocument)).toEqual([{ currency: 'GBP' }, { currency: 'EUR' }]);
  });

  it('list payees with Pay and a Remove that asks first', async () => {
    const bff = createFakeBff();
    signedInAs(bff, ['CUSTOMER']);
    let payees = [payee('payee-1', 'Northwind Lettings'), payee('payee-2', 'Hans Huber', { scheme: 'IBAN', country: 'DE', maskedAccount: '•••• 3000' })];
    bff.on(SavedDestinationsDocument, () => data({ me: { id: 'user-1', payees, billers: [], cards: [] } }));
    bff.on(DeletePayeeDocument, (variables) => {
      payees = payees.filter((p) => p.id !== variables.id);
      return data({ deletePayee: { id: variables.id } });
    });
    const { events } = openAppAt('/payments/payees', bff);
    const list = await screen.findByRole('list', { name: 'Payees' }, loaded);
    expect(within(list).getAllByTestId('saved-destination').map((c) => c.textContent)).toEqual([
      expect.stringContaining('Northwind LettingsAccount •••• 5678 · GB'),
      expect.stringContaining('Hans HuberIBAN •••• 3000 · DE'),
    ]);
    expect(within(list).getByRole('link', { name: 'Pay Hans Huber' }).getAttribute('href')).toBe('/payments/pay?payee=payee-2');
    await events.click(within(list).getByRole('button', { name: 'Remove Hans Huber' }));
    expect(await within(list).findByText('Remove Hans Huber?')).toBeTruthy();
    await events.click(within(list).getByRole('button', { name: 'Keep' }));
    await waitFor(() => expect(document.activeElement).toBe(within(list).getByRole('button', { name: 'Remove Hans Huber' })));
    expect(bff.variablesOf(DeletePayeeDocument)).toEqual([]);
    await events.click(within(list).getByRole('button', { name: 'Remove Hans Huber' }));
    await events.click(await within(list).findByRole('button', { name: 'Yes, remove' }));
    await waitFor(() => expect(within(list).getAllByTestId('saved-destination')).toHaveLength(1));
    expect(bff.variablesOf(DeletePayeeDocument)).toEqual([{ id: 'payee-2' }]);
  });
});
