// The web dashboard in a real Chromium against identity, banking, KYC, payments and the web BFF
// serving the production build: sign in, the accounts, a transfer seen in the history and the
// balances, a phone-sized screen, session expiry and back, sign-out, and the old cookie refused.
// Every screen is checked with axe and kept as a screenshot; the page may reach no other host and
// must break no rule of its content policy. Skips where Debian's chromium is absent.
import { documentIdOf } from '@meridian/client';
import { AccountsDocument } from '@meridian/client/web';
import { seedDemoBanking } from '@meridian/banking';
import { DEMO_USER, seedDemoUser } from '@meridian/identity';
import type { Browser, Page } from 'playwright-core';
import type { Stack } from '../helpers/stack';
import { checkScreen, choose, describeInChromium, expectFitsWidth, expectText, openContext as openBrowserContext } from '../helpers/web-browser';
import { startWebStack } from '../helpers/web-stack';


const email = `dashboard.${Date.now()}@example.com`;
const password = 'a long and unusual passphrase';
const origin = { ip: '127.0.0.1', userAgent: 'test', requestId: 'seed' };

describeInChromium('the web dashboard in Chromium', () => {
  jest.setTimeout(180_000);
  let stack: Stack;
  let browser: Browser;
  let base: string;
  let currentId: string;
  let savingsId: string;

  beforeAll(async () => {
    ({ stack, base, browser } = await startWebStack());

    // A customer with a current account holding a salary and an empty savings account.
    await stack.identity.accounts.register({ email, password, displayName: 'Dana Dashboard' }, origin);
    const ownerId = await stack.userIdOf(email);
    const current = await stack.banking.accounts.openAccount({ ownerId, type: 'CURRENT', currency: 'GBP', name: 'Everyday' });
    const savings = await stack.banking.accounts.openAccount({ ownerId, type: 'SAVINGS', currency: 'GBP', name: 'Rainy day' });
    currentId = current.id;
    savingsId = savings.id;
    await stack.deposit(current.id, 2_500_00n, { description: 'Northwind salary' });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const openContext = () => openBrowserContext(browser);
  const check = checkScreen;

  async function signIn(page: Page): Promise<void> {
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs in, shows the accounts, moves money, shows it in the history and the balances, survives an expired session, and signs out for good', async () => {
    const { context, page, problems } = await openContext();
    try {
      // Signed out, any screen leads to sign-in, and back to it afterwards.
      await page.goto(`${base}/accounts`);
      await page.waitForURL(/\/sign-in\?redirect=%2Faccounts$/);
      await page.getByRole('heading', { name: 'Sign in to Meridian' }).waitFor();
      await check(page, 'sign-in');
      await signIn(page);
      await page.waitForURL(`${base}/accounts`);

      // The accounts overview with posted, pending and available balances.
      const everyday = page.getByRole('article', { name: 'Everyday' });
      const rainyDay = page.getByRole('article', { name: 'Rainy day' });
      await expectText(everyday.getByTestId('balance-available'), '£2,500.00');
      await expectText(everyday.getByTestId('balance-posted'), '£2,500.00');
      await expectText(everyday.getByTestId('balance-pending'), '£0.00');
      await expectText(rainyDay.getByTestId('balance-available'), '£0.00');
      await expectText(page.getByTestId('signed-in-as'), 'Dana Dashboard');
      await check(page, 'accounts');
      const cookie = (await context.cookies()).find((c) => c.name.endsWith('meridian-session'));
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.evaluate(() => document.cookie)).toBe('');

      // At a phone's width the navigation folds behind a burger and nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      const burger = page.getByRole('button', { name: 'Open navigation' });
      await burger.waitFor();
      const navLink = page.locator('#main-navigation a', { hasText: 'Move money' });
      // Folded away: off-screen, and inert so keyboards and screen readers skip it.
      await page.waitForFunction(() => document.getElementById('main-navigation')?.hasAttribute('inert'));
      await page.waitForFunction(() => document.querySelector('#main-navigation a')!.getBoundingClientRect().right <= 0);
      await expectFitsWidth(page);
      await check(page, 'accounts-phone');
      await burger.click();
      await page.waitForFunction(() => {
        const nav = document.getElementById('main-navigation')!;
        const box = nav.querySelector('a')!.getBoundingClientRect();
        return !nav.hasAttribute('inert') && box.left >= 0 && box.right <= window.innerWidth;
      });
      await navLink.waitFor({ state: 'visible' });
      await check(page, 'navigation-phone');
      await page.getByRole('button', { name: 'Close navigation' }).click();
      await page.setViewportSize({ width: 1280, height: 800 });

      // Move money between the two accounts.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Move money' }).click();
      await page.getByRole('heading', { name: 'Move money' }).waitFor();
      await choose(page, 'From', /^Everyday/);
      await choose(page, 'To', /^Rainy day/);
      await page.getByRole('textbox', { name: 'Amount' }).fill('400');
      await page.getByRole('textbox', { name: 'Note' }).fill('Towards the roof');
      await page.getByRole('button', { name: 'Move money' }).click();
      await expectText(page.getByRole('status').filter({ hasText: 'Money moved' }), '£400.00 moved from Everyday to Rainy day.');
      await check(page, 'transfer');

      // The history of the current account shows it, newest first, with the balance after it.
      await page.goto(`${base}/accounts/${currentId}`);
      await page.getByRole('heading', { name: 'Everyday' }).waitFor();
      const first = page.getByTestId('transaction').first();
      await expectText(first, 'Towards the roof');
      await expectText(first.getByTestId('transaction-amount'), '-£400.00');
      await expectText(first, 'Balance £2,100.00');
      await expectText(page.getByTestId('transaction').nth(1), 'Northwind salary');
      await expectText(page.getByTestId('balance-available'), '£2,100.00');
      // Search and a date filter that leaves nothing.
      await page.getByRole('searchbox', { name: 'Search' }).fill('salary');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="transaction"]').length === 1);
      await expectText(page.getByTestId('transaction').first(), 'Northwind salary');
      await page.getByRole('searchbox', { name: 'Search' }).fill('');
      await check(page, 'history');
      const tomorrow = new Date(Date.now() + 86_400_000);
      const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
      await page.getByLabel('From').fill(day);
      await page.getByText('No transactions in this period.').waitFor();
      expect(new URL(page.url()).searchParams.get('from')).toBe(day);

      // The savings account got it, and the overview shows both new balances.
      await page.goto(`${base}/accounts/${savingsId}`);
      await expectText(page.getByTestId('transaction').first().getByTestId('transaction-amount'), '+£400.00');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
      await expectText(page.getByRole('article', { name: 'Everyday' }).getByTestId('balance-available'), '£2,100.00');
      await expectText(page.getByRole('article', { name: 'Rainy day' }).getByTestId('balance-available'), '£400.00');

      // The other screens: opening an account, and the devices list with this browser marked.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Open an account' }).click();
      await page.getByRole('heading', { name: 'Open an account' }).waitFor();
      await check(page, 'open-account');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices and sessions' }).click();
      await page.getByTestId('session').filter({ hasText: 'This browser' }).waitFor();
      await check(page, 'devices');

      // The session ends behind the page's back: the next call sends the person to sign-in, and back here after.
      await context.clearCookies();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices and sessions' }).click();
      await page.waitForURL(/\/sign-in\?redirect=%2Fdevices$/);
      await page.getByText('Your session has ended. Sign in again to carry on.').waitFor();
      await signIn(page);
      await page.waitForURL(`${base}/devices`);
      await page.getByTestId('session').filter({ hasText: 'This browser' }).waitFor();

      // The first sign-in's session is still alive in identity: "Sign out this device" ends it (revokeSession).
      const sessions = page.getByTestId('session');
      expect(await sessions.count()).toBe(2);
      await sessions.filter({ hasNotText: 'This browser' }).getByRole('button', { name: /^Sign out this device/ }).click();
      await page.getByText('That device is signed out.').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="session"]').length === 1);

      // Sign out: the cookie the browser held no longer works for anything.
      const held = (await context.cookies()).find((c) => c.name.endsWith('meridian-session'))!;
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL(`${base}/sign-in`);
      expect((await context.cookies()).filter((c) => c.name.endsWith('meridian-session'))).toEqual([]);
      const replay = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base, cookie: `${held.name}=${held.value}` },
        body: JSON.stringify({ documentId: documentIdOf(AccountsDocument) }),
      });
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const probe = await fetch(`${base}/auth/session`, { headers: { cookie: `${held.name}=${held.value}` } });
      expect(probe.status).toBe(401);

      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await context.close();
    }
  });

  it('lets the demo user npm start seeds sign in, see the year of history, move money and sign out for good', async () => {
    // The same seeding as `npm start`: the demo customer with a current, a savings and a euro account and a year of history.
    const demo = await seedDemoUser(stack.identity.accounts);
    const { accounts } = await seedDemoBanking({ accounts: stack.banking.accounts, ledger: stack.banking.ledger, fx: stack.banking.fx, ownerId: demo.userId });
    const available = async (id: string) => {
      const [account] = await stack.banking.accounts.findByIds([id]);
      return account!.creditsPosted - account!.debitsPosted - account!.debitsPending + account!.overdraftLimit;
    };
    const pounds = (minor: bigint) => `£${(minor / 100n).toLocaleString('en-GB')}.${String(minor % 100n).padStart(2, '0')}`;
    const [current, savings] = [await available(accounts.current.id), await available(accounts.savings.id)];
    expect(current).toBeGreaterThan(25_00n);

    const { context, page, problems } = await openContext();
    try {
      await page.goto(`${base}/sign-in`);
      await page.getByRole('textbox', { name: 'Email address' }).fill(DEMO_USER.email);
      await page.getByLabel(/^Password/).fill(DEMO_USER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/accounts`);
      await expectText(page.getByTestId('signed-in-as'), DEMO_USER.displayName);
      await expectText(page.getByRole('article', { name: 'Current account' }).getByTestId('balance-available'), pounds(current));
      await expectText(page.getByRole('article', { name: 'Savings' }).getByTestId('balance-available'), pounds(savings));
      await page.getByRole('article', { name: 'Euro wallet' }).waitFor();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Move money' }).click();
      await choose(page, 'From', /^Current account/);
      await choose(page, 'To', /^Savings/);
      await page.getByRole('textbox', { name: 'Amount' }).fill('25');
      await page.getByRole('textbox', { name: 'Note' }).fill('Demo rainy-day top-up');
      await page.getByRole('button', { name: 'Move money' }).click();
      await expectText(page.getByRole('status').filter({ hasText: 'Money moved' }), '£25.00 moved from Current account to Savings.');

      // The history holds the year the seed wrote, with the move on top; the balances moved by exactly £25.
      await page.goto(`${base}/accounts/${accounts.current.id}`);
      const first = page.getByTestId('transaction').first();
      await expectText(first, 'Demo rainy-day top-up');
      await expectText(first.getByTestId('transaction-amount'), '-£25.00');
      expect(await page.getByTestId('transaction').count()).toBeGreaterThan(10);
      await expectText(page.getByTestId('balance-available'), pounds(current - 25_00n));
      expect(await available(accounts.savings.id)).toBe(savings + 25_00n);

      const held = (await context.cookies()).find((c) => c.name.endsWith('meridian-session'))!;
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL(`${base}/sign-in`);
      const replay = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base, cookie: `${held.name}=${held.value}` },
        body: JSON.stringify({ documentId: documentIdOf(AccountsDocument) }),
      });
      expect(replay.status).toBe(401);
      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await context.close();
    }
  });

  it('serves the pages emails link to, checked the same way', async () => {
    const { context, page, problems } = await openContext();
    try {
      await page.goto(`${base}/verify-email?token=mev_not-a-real-token`);
      await page.getByRole('button', { name: 'Verify my email address' }).click();
      await page.getByText(/This link is not valid any more/).waitFor();
      await check(page, 'verify-email');
      await page.goto(`${base}/reset-password?token=mpr_not-a-real-token`);
      await page.getByLabel(/^New password(?! again)/).fill('short');
      await page.getByRole('button', { name: 'Change my password' }).click();
      await page.getByText('Use at least 12 characters.').waitFor();
      await check(page, 'reset-password');
      await page.goto(`${base}/forgot-password`);
      await page.getByRole('textbox', { name: 'Email address' }).fill(email);
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByText(/we have sent it a link/).waitFor();
      await check(page, 'forgot-password');
      expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
    } finally {
      await context.close();
    }
  });
});
