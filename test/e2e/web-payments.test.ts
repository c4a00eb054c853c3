// The dashboard's payments screens in a real Chromium against identity, banking, KYC, payments and
// the web BFF serving the production build with only trusted documents. A verified customer with
// money in a current account, and another customer to pay: a payee added (the step-up dialog asks
// for the emailed code) and a biller; a payment to the other customer by email, a first large
// payout held for a compliance review and cancelled from its receipt, a bill paid, a payment over
// the per-payment limit refused; a monthly payment scheduled and cancelled; the limits with what
// was used today; a card added and an account topped up from it; the receipt with its history,
// printed without the app around it; the payee removed. Axe on every screen, a phone-width check,
// no request off the machine, no content-policy violation. Skips where Debian's chromium is absent.
import { seedDemoKyc } from '@meridian/kyc';
import type { Browser, Page } from 'playwright-core';
import type { Stack } from '../helpers/stack';
import { checkScreen, choose, describeInChromium, expectFitsWidth, expectText, openContext } from '../helpers/web-browser';
import { startWebStack } from '../helpers/web-stack';


const stamp = Date.now();
const email = `payer.${stamp}@example.com`;
const anaEmail = `ana.${stamp}@example.com`;
const password = 'a long and unusual passphrase';
const origin = { ip: '127.0.0.1', userAgent: 'test', requestId: 'seed' };

describeInChromium('the payments screens in Chromium', () => {
  jest.setTimeout(120_000);
  let stack: Stack;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ({ stack, base, browser } = await startWebStack());

    // The payer: verified (tier 2), with £5,000 in a current account. Ana: another customer with a pound account.
    await stack.identity.accounts.register({ email, password, displayName: 'Priya Payer' }, origin);
    await stack.identity.accounts.register({ email: anaEmail, password, displayName: 'Ana López' }, origin);
    const payerId = await stack.userIdOf(email);
    await seedDemoKyc(stack.kyc, payerId);
    const current = await stack.banking.accounts.openAccount({ ownerId: payerId, type: 'CURRENT', currency: 'GBP', name: 'Everyday' });
    await stack.banking.accounts.openAccount({ ownerId: await stack.userIdOf(anaEmail), type: 'CURRENT', currency: 'GBP', name: 'Main' });
    await stack.deposit(current.id, 5_000_00n, { description: 'Northwind salary' });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const section = (page: Page, name: string) => page.getByRole('navigation', { name: 'Payments' }).getByRole('link', { name, exact: true }).click();

  /** Fills the pay form's details, continues to the summary and pays. */
  async function pay(page: Page, details: { to?: string; payee?: RegExp; biller?: RegExp; amount: string; note?: string }): Promise<void> {
    if (details.to) {
      await page.getByRole('radio', { name: 'A Meridian customer' }).check();
      await page.getByRole('textbox', { name: 'Their email or phone number' }).fill(details.to);
    } else if (details.payee) {
      await page.getByRole('radio', { name: 'A saved payee' }).check();
      await choose(page, 'Payee', details.payee);
    } else if (details.biller) {
      await page.getByRole('radio', { name: 'A bill' }).check();
      await choose(page, 'Biller', details.biller);
    }
    await page.getByRole('textbox', { name: 'Amount' }).fill(details.amount);
    await page.getByRole('textbox', { name: 'Note' }).fill(details.note ?? '');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Check the payment' }).waitFor();
    await page.getByRole('button', { name: /^Pay / }).click();
  }

  it('adds payees, pays, holds, refuses, schedules, shows limits, tops up and prints a receipt', async () => {
    const { page, problems } = await openContext(browser, {
      // A payment over the limit (422) and an operation that first asks for a second factor (403) are refusals the screens show.
      expectedFailure: (status, url) => url.pathname === '/graphql' && (status === 403 || status === 422),
    });
    try {
      await page.goto(`${base}/payments/payees`);
      await page.getByRole('textbox', { name: 'Email address' }).fill(email);
      await page.getByLabel(/^Password/).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/payments/payees`);

      // A payee needs a second factor: the step-up dialog sends an email code.
      await page.getByRole('heading', { name: 'Payees and billers' }).waitFor();
      await page.getByRole('textbox', { name: "Payee's name" }).fill('Northwind Lettings');
      await page.getByRole('textbox', { name: 'Sort code' }).fill('12-34-56');
      await page.getByRole('textbox', { name: 'Account number' }).fill('12345678');
      await page.getByRole('button', { name: 'Add payee' }).click();
      const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
      // The user's own factors only: email is one of them (a radio among several, or the only one, named).
      await dialog.getByText('A code by email', { exact: true }).click();
      await dialog.getByRole('button', { name: 'Email me a code' }).click();
      await dialog.getByText(/We sent a code to/).waitFor();
      const code = (await stack.latestMail(email, 'identity.step_up_code'))!.data!.code as string;
      await dialog.getByRole('textbox', { name: '6-digit code' }).fill(code);
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      const payees = page.getByRole('list', { name: 'Payees' });
      await expectText(payees, 'Northwind Lettings');
      await expectText(payees, 'Account •••• 5678');
      await page.getByRole('textbox', { name: "Biller's name" }).fill('Thames Water');
      await page.getByRole('textbox', { name: 'Biller code' }).fill('thames');
      await page.getByRole('textbox', { name: 'Your reference' }).fill('123456789');
      await page.getByRole('button', { name: 'Add biller' }).click();
      await expectText(page.getByRole('list', { name: 'Billers' }), 'THAMES · reference •••• 6789');
      await checkScreen(page, 'payments-payees');

      // Pay Ana by email: paid at once.
      await section(page, 'Pay someone');
      await page.getByRole('heading', { name: 'Pay someone' }).waitFor();
      await expectText(page.getByText(/you can pay up to/), '£5,000.00 available · you can pay up to £25,000.00 now');
      await pay(page, { to: anaEmail, amount: '25', note: 'Dinner' });
      const paid = page.getByRole('status').filter({ hasText: 'Paid' });
      await expectText(paid, '£25.00 paid to Ana López.');
      await checkScreen(page, 'payments-pay');

      // A first large payout to a payee added today is held for a compliance review.
      await pay(page, { payee: /^Northwind Lettings/, amount: '600' });
      const heldOutcome = page.getByRole('status').filter({ hasText: 'Held for review' });
      await expectText(heldOutcome, 'A large first payment to someone you have not paid before');
      await heldOutcome.getByRole('link', { name: 'See the receipt' }).click();
      await expectText(page.getByTestId('payment-status'), 'Held for review');
      await expectText(page.getByRole('status'), 'Held for a compliance review');
      await checkScreen(page, 'payments-receipt-held');
      await page.getByRole('button', { name: 'Cancel payment' }).click();
      await page.getByRole('button', { name: 'Yes, cancel it' }).click();
      await expectText(page.getByTestId('payment-status'), 'Cancelled');
      await expectText(page.getByTestId('history-entry').last(), 'You: canceled by the customer');

      // A bill, paid; then more than one payment may be: refused with the limit in pounds.
      await section(page, 'Pay someone');
      await pay(page, { biller: /^Thames Water/, amount: '40' });
      await expectText(page.getByRole('status').filter({ hasText: 'Paid' }), '£40.00 paid to Thames Water.');
      await pay(page, { to: anaEmail, amount: '30000' });
      await expectText(page.getByRole('alert').filter({ hasText: 'Not paid' }), 'A single payment can be at most £25,000.00.');
      await page.getByRole('button', { name: 'Change' }).click();

      // The same screen at a phone's width: nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('button', { name: 'Continue' }).waitFor();
      await expectFitsWidth(page);
      await checkScreen(page, 'payments-pay-phone');
      await page.setViewportSize({ width: 1280, height: 800 });

      // A monthly payment to Ana, scheduled, then cancelled.
      await section(page, 'Scheduled');
      await page.getByRole('heading', { name: 'Scheduled payments' }).waitFor();
      await page.getByText('Nothing is scheduled.').waitFor();
      await page.getByRole('textbox', { name: 'Their email or phone number' }).fill(anaEmail);
      await page.getByRole('textbox', { name: 'Amount' }).fill('10');
      await page.getByRole('textbox', { name: 'Note' }).fill('Pocket money');
      await page.getByRole('textbox', { name: 'Day of the month' }).fill('1');
      await page.getByRole('button', { name: 'Schedule payment' }).click();
      const scheduled = page.getByTestId('scheduled-payment');
      await expectText(scheduled, '£10.00 to Ana López');
      await expectText(scheduled, 'Every month at 09:00');
      await expectText(scheduled, 'Next:');
      await checkScreen(page, 'payments-scheduled');
      await scheduled.getByRole('button', { name: /^Cancel the scheduled payment/ }).click();
      await expectText(scheduled, 'Cancelled: it will not run again');

      // The limits: tier 2, and today's £25 and £40 used (the cancelled payout gave its share back).
      await section(page, 'Limits');
      await expectText(page.getByTestId('limits-tier'), 'Tier 2');
      await expectText(page.getByTestId('limits-per-payment'), '£25,000.00');
      await expectText(page.getByTestId('limits-today-used'), '£65.00 used of £50,000.00');
      await expectText(page.getByTestId('limits-today-left'), '£49,935.00 left');
      await checkScreen(page, 'payments-limits');

      // A card, and a top-up from it.
      await section(page, 'Cards and top-ups');
      await page.getByRole('textbox', { name: 'Card number' }).fill('4242 4242 4242 4242');
      await choose(page, 'Expiry month', /^12$/);
      await page.getByRole('textbox', { name: 'Expiry year' }).fill(String(new Date().getFullYear() + 3));
      await page.getByRole('textbox', { name: 'Security code' }).fill('123');
      await page.getByRole('button', { name: 'Add card' }).click();
      await expectText(page.getByTestId('saved-card'), 'Visa •••• 4242');
      await page.getByRole('textbox', { name: 'Amount' }).fill('50');
      await page.getByRole('button', { name: 'Top up' }).click();
      await expectText(page.getByRole('status').filter({ hasText: 'Topped up' }), '£50.00 added from');
      await checkScreen(page, 'payments-cards');

      // The list of payments, and the receipt of the first one with its history, printable.
      await section(page, 'Payments');
      const rows = page.getByTestId('payment');
      await expectText(rows.first(), 'Top-up from');
      expect(await rows.count()).toBe(4);
      await checkScreen(page, 'payments-list');
      await rows.filter({ hasText: 'To Ana López' }).getByRole('link').click();
      await page.getByRole('heading', { name: 'Payment to Ana López' }).waitFor();
      await expectText(page.getByTestId('payment-status'), 'Completed');
      await expectText(page.getByTestId('receipt-amount'), '-£25.00');
      await expectText(page.getByTestId('history-entry').last(), 'Completed');
      expect(await page.getByTestId('history-entry').count()).toBeGreaterThanOrEqual(3);
      await checkScreen(page, 'payments-receipt');
      await page.emulateMedia({ media: 'print' });
      expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
      expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
      expect(await page.getByRole('heading', { name: 'Payment to Ana López' }).isVisible()).toBe(true);
      await page.emulateMedia({ media: 'screen' });

      // The payee goes, asked twice.
      await section(page, 'Payees and billers');
      await page.getByRole('button', { name: 'Remove Northwind Lettings' }).click();
      await page.getByRole('button', { name: 'Yes, remove' }).click();
      await page.getByText('No payees yet.').waitFor();

      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await page.context().close();
    }
  });
});
