// The dashboard's insights screens in a real Chromium against identity, banking, insights and the
// web BFF serving the production build with only trusted documents: a customer with four months of
// salary, rent, a subscription and this month's card spending (written to the ledger, read by
// insights as its rebuild does), a budget already over and the alerts it raised. Each screen is
// visited and its main action done: spending by category with its chart, table and CSV download,
// cash flow over a longer span, a budget added, changed and removed, the recurring payments, a
// goal added and deleted, and alerts marked read. Axe on every screen, a phone-width check, no
// request off the machine, no content-policy violation. Skips where Debian's chromium is absent.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { createInsightsServer, loadInsightsConfig, rebuildReadModel, type InsightsServer } from '@meridian/insights';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Stack } from '../helpers/stack';
import { checkScreen, choose, describeInChromium, expectFitsWidth, expectText, openContext, type PageProblems } from '../helpers/web-browser';
import { startWebStack } from '../helpers/web-stack';


const email = `insights.${Date.now()}@example.com`;
const password = 'a long and unusual passphrase';
const origin = { ip: '127.0.0.1', userAgent: 'test', requestId: 'seed' };

/** A free local port for insights, which the BFF must know before insights can start (insights needs the stack's identity and banking). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Noon (UTC) on the `day` of the month `monthsBack` months ago. */
function dayOf(monthsBack: number, day: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, day, 12));
}

/** The elements sticking out past the right edge of the window (what makes a page scroll sideways), outermost only. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: Element[] = [];
    for (const element of Array.from(document.body.querySelectorAll('*'))) {
      if (element.getBoundingClientRect().right > width + 1 && !out.some((o) => o.contains(element))) out.push(element);
    }
    return out.map((e) => `${e.tagName.toLowerCase()}.${String(e.className).split(' ').slice(0, 3).join('.')} ${e.getAttribute('data-testid') ?? ''}`.trim());
  });
}

describeInChromium('the insights screens in Chromium', () => {
  jest.setTimeout(120_000);
  let stack: Stack;
  let insights: InsightsServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  let base: string;

  beforeAll(async () => {
    const insightsPort = await freePort();
    // Only the dashboard's trusted documents run, as in production.
    ({ stack, base, browser } = await startWebStack({ INSIGHTS_URL: `http://127.0.0.1:${insightsPort}/graphql` }));
    const portOf = (server: { app: { server: { address(): unknown } } }) => (server.app.server.address() as net.AddressInfo).port;
    insights = await createInsightsServer(
      loadInsightsConfig({
        ...process.env,
        MIGRATE_ON_START: 'true',
        INSIGHTS_WORKERS: 'false',
        IDENTITY_JWKS_URL: `http://127.0.0.1:${portOf(stack.identity)}/.well-known/jwks.json`,
        BANKING_INTERNAL_URL: `http://127.0.0.1:${portOf(stack.banking)}`,
      }),
      { databaseUrl: stack.db.url },
    );
    await insights.app.listen({ port: insightsPort, host: '127.0.0.1' });

    // A customer paid on the 1st, paying rent and Netflix the same day, for four months; a monthly
    // saving into the savings account; this month's groceries, lunch and a train fare.
    await stack.identity.accounts.register({ email, password, displayName: 'Ines Insights' }, origin);
    const ownerId = await stack.userIdOf(email);
    const current = await stack.banking.accounts.openAccount({ ownerId, type: 'CURRENT', currency: 'GBP', name: 'Everyday' });
    const savings = await stack.banking.accounts.openAccount({ ownerId, type: 'SAVINGS', currency: 'GBP', name: 'Rainy day' });
    const clearing = await stack.banking.accounts.systemAccount('CLEARING', 'GBP');
    const book = (bookedAt: Date, code: string, description: string, from: string, to: string, minor: bigint, mcc?: string) =>
      stack.banking.ledger.createTransfer({
        id: randomUUID(),
        code,
        description,
        metadata: { bookedAt: bookedAt.toISOString(), ...(mcc ? { mcc } : {}) },
        postings: [
          { accountId: from, direction: 'DEBIT', amount: minor, currency: 'GBP' },
          { accountId: to, direction: 'CREDIT', amount: minor, currency: 'GBP' },
        ],
      });
    for (let back = 3; back >= 0; back--) {
      await book(dayOf(back, 1), 'SALARY', 'Northwind Analytics Ltd — salary', clearing.id, current.id, 3_000_00n);
      await book(new Date(dayOf(back, 1).getTime() + 60_000), 'STANDING_ORDER', 'Harbour Lettings — rent', current.id, clearing.id, 1_200_00n);
      await book(new Date(dayOf(back, 1).getTime() + 120_000), 'CARD_PAYMENT', 'NETFLIX.COM', current.id, clearing.id, 10_99n, '4899');
      if (back > 0) await book(dayOf(back, 2), 'TRANSFER', 'Monthly saving', current.id, savings.id, 250_00n);
    }
    const earlierToday = (minutes: number) => new Date(Math.max(Date.now() - minutes * 60_000, dayOf(0, 1).getTime() + 180_000));
    await book(earlierToday(30), 'CARD_PAYMENT', 'TESCO STORES 3297 LONDON GB', current.id, clearing.id, 54_20n, '5411');
    await book(earlierToday(20), 'CARD_PAYMENT', 'PRET A MANGER 1234 LONDON GB', current.id, clearing.id, 6_45n, '5814');
    await book(earlierToday(10), 'CARD_PAYMENT', 'TFL TRAVEL CH', current.id, clearing.id, 12_80n, '4111');
    await rebuildReadModel({ db: insights.dataSource, ledger: insights.ledger, projection: insights.projection });
    // A food budget this month's spending is already over; the alert rules raise it.
    await insights.insights.setBudget(ownerId, { category: 'FOOD_AND_DRINK', amount: '50.00', currency: 'GBP' });
    await insights.alertRules.runOnce();

    // The CSV download is the only file the app fetches outside GraphQL and the session routes.
    ({ context, page, problems } = await openContext(browser));
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await insights?.close();
    await stack?.close();
  });

  const insightsNav = () => page.getByRole('navigation', { name: 'Insights' });

  it('signs in from the insights link and shows the month’s spending by category, as a chart and a table, with its CSV', async () => {
    await page.goto(`${base}/insights`);
    await page.waitForURL(/\/sign-in\?redirect=%2Finsights/);
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/insights/spending`);
    await page.getByRole('heading', { name: 'Spending', level: 1 }).waitFor();

    const table = page.getByTestId('spending-table');
    await expectText(table.getByRole('row', { name: /Food and drink/ }), '£60.65');
    await expectText(page.getByTestId('spending-total'), '£1,284.44');
    // The donut, drawn by the lazily loaded chart module, hidden from assistive technology (the table says it all).
    await page.locator('.recharts-pie-sector').first().waitFor();
    expect(await page.locator('[aria-hidden="true"] .recharts-surface').count()).toBe(1);
    await checkScreen(page, 'insights-spending');

    // The period's transactions as CSV, through the BFF with the session cookie.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transactions (CSV)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^meridian-transactions-\d{4}-\d{2}-01-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe('date,account_id,transfer_id,status,description,merchant,category,detailed_category,amount,currency');
    expect(csv).toContain('TESCO STORES 3297 LONDON GB');
    await expectText(page.getByRole('status'), 'Downloaded meridian-transactions-');

    // A longer period, kept in the address: three months of rent and Netflix.
    await choose(page, 'Period', /^Last 3 months$/);
    await page.waitForURL(/period=last-3-months/);
    await expectText(page.getByTestId('spending-total'), '£3,706.42');

    // On a phone nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('button', { name: 'Open navigation' }).waitFor();
    await page.locator('.recharts-pie-sector').first().waitFor();
    expect(await overflowing(page)).toEqual([]);
    await expectFitsWidth(page);
    await checkScreen(page, 'insights-spending-phone');
    // The cash-flow table, four amounts wide, fits too.
    await page.goto(`${base}/insights/cash-flow`);
    await page.getByTestId('cash-flow-table').waitFor();
    expect(await overflowing(page)).toEqual([]);
    await checkScreen(page, 'insights-cash-flow-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows money in and out per month with the forecast, over a span chosen', async () => {
    await page.goto(`${base}/insights/spending`);
    await insightsNav().getByRole('link', { name: 'Cash flow' }).click();
    await page.getByRole('heading', { name: 'Cash flow', level: 1 }).waitFor();
    const rows = page.getByTestId('cash-flow-table').locator('tbody tr');
    await expectText(rows.last(), '£3,000.00');
    expect(await rows.count()).toBe(6);
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByRole('heading', { name: 'The next 30 days' }).waitFor();
    await checkScreen(page, 'insights-cash-flow');
    await choose(page, 'Months', /^Last 12 months$/);
    await page.waitForURL(/months=12/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="cash-flow-table"] tbody tr').length === 12);
  });

  it('adds, changes and removes a budget beside the one already over', async () => {
    await page.goto(`${base}/insights/budgets`);
    const food = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Food and drink' }) });
    await expectText(food, 'Over budget');
    await expectText(food, 'Over by £10.65');
    await checkScreen(page, 'insights-budgets');

    await page.getByRole('button', { name: 'Add a budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a budget' });
    await dialog.getByRole('textbox', { name: 'Category' }).fill('Transport');
    await page.getByRole('option', { name: 'All of transport' }).click();
    await dialog.getByRole('textbox', { name: 'Each month' }).fill('100');
    await checkScreen(page, 'insights-budget-form');
    await dialog.getByRole('button', { name: 'Add the budget' }).click();
    const transport = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Transport', exact: true }) });
    await expectText(transport, '£12.80 spent of £100.00 this month');

    await transport.getByRole('button', { name: 'Change the budget for Transport' }).click();
    const change = page.getByRole('dialog', { name: 'Change the budget' });
    await change.getByRole('textbox', { name: 'Each month' }).fill('150');
    await change.getByRole('button', { name: 'Save the budget' }).click();
    await expectText(transport, '£12.80 spent of £150.00 this month');

    await food.getByRole('button', { name: 'Remove the budget for Food and drink' }).click();
    await page.getByRole('dialog', { name: 'Remove the budget for Food and drink?' }).getByRole('button', { name: 'Remove the budget' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="budget"]').length === 1);
  });

  it('lists the recurring income and payments found', async () => {
    await page.goto(`${base}/insights/recurring`);
    await page.getByRole('heading', { name: 'Recurring payments', level: 1 }).waitFor();
    const netflix = page.getByTestId('recurring-stream').filter({ hasText: 'Netflix' });
    await expectText(netflix, 'Every month');
    await expectText(netflix.getByTestId('recurring-next-amount'), '£10.99');
    await expectText(page.getByTestId('recurring-stream').filter({ hasText: /Northwind/ }), 'Money in');
    await checkScreen(page, 'insights-recurring');
  });

  it('adds a savings goal on the savings account and deletes it', async () => {
    await page.goto(`${base}/insights/goals`);
    await page.getByText('No goals yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Add a goal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a goal' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('New bike');
    await choose(page, 'Saved in', /^Rainy day/);
    await dialog.getByRole('textbox', { name: 'Amount to reach' }).fill('1000');
    await dialog.getByRole('button', { name: 'Add the goal' }).click();
    const goal = page.getByTestId('goal').filter({ hasText: 'New bike' });
    await expectText(goal, '£750.00 saved of £1,000.00');
    await expectText(goal, '£250.00 to go');
    await checkScreen(page, 'insights-goals');

    await goal.getByRole('button', { name: 'Delete New bike' }).click();
    await page.getByRole('dialog', { name: 'Delete New bike?' }).getByRole('button', { name: 'Delete the goal' }).click();
    await page.getByText('No goals yet.', { exact: false }).waitFor();
  });

  it('shows the alerts raised and marks them read', async () => {
    await page.goto(`${base}/insights/alerts`);
    const exceeded = page.getByTestId('insight-alert').filter({ hasText: 'Budget exceeded' });
    await exceeded.waitFor();
    expect(await exceeded.getAttribute('data-read')).toBe('false');
    await checkScreen(page, 'insights-alerts');
    await exceeded.getByRole('button', { name: /^Mark read/ }).click();
    await page.locator('[data-testid="insight-alert"][data-read="true"]').filter({ hasText: 'Budget exceeded' }).waitFor();
    // Any others (a new subscription) go at once.
    const markAll = page.getByRole('button', { name: 'Mark all read' });
    if (await markAll.isVisible()) await markAll.click();
    await expectText(page.getByTestId('unread-count'), 'No unread alerts.');
  });

  it('reached no other host and broke no rule of the content policy on the way', () => {
    expect(problems).toEqual({ external: [], csp: [], errors: [], failed: [] });
  });
});
