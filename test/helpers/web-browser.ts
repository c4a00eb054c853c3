// The web dashboard in a real Chromium, for the end-to-end tests of its screens: Debian's
// chromium (never a downloaded one), a browser context that may reach no other host and records
// what the page did wrong, and a check of each screen (axe, then a screenshot).
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { MeridianServer } from '@meridian/platform';

/** Debian's chromium; the browser tests skip where it is absent. */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = fs.existsSync(CHROMIUM);

/** Where each screen's screenshot is kept (git-ignored). */
export const screenshotDir = process.env.WEB_SCREENSHOT_DIR ?? path.resolve(__dirname, '../../test-results/web');

/** What a page did wrong: requests to other hosts, content-policy violations, script errors, failed responses. */
export interface PageProblems {
  external: string[];
  csp: string[];
  errors: string[];
  failed: string[];
}

/** True for a URL on this machine (or data:/blob:). */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** Starts Debian's chromium headless, offline, and makes the screenshot folder. */
export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Has the web BFF listen on a free local port; answers its base URL. */
export async function listenWeb(web: MeridianServer): Promise<string> {
  await web.app.listen({ port: 0, host: '127.0.0.1' });
  const address = web.app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** Options of {@link openContext}. */
export interface OpenContextOptions {
  /** Failed responses that are expected, besides a 401 from `/auth/session` or `/graphql` (signed out, a refused call). */
  expectedFailure?: (status: number, url: URL) => boolean;
}

/** A browser context that lets no request leave the machine and records what the page did wrong. */
export async function openContext(browser: Browser, options: OpenContextOptions = {}): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  // Reduced motion (which the app respects): a dialog is checked as it shows, not half faded in.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const problems: PageProblems = { external: [], csp: [], errors: [], failed: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    problems.external.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to (apply|load|execute|connect)/i.test(message.text())) problems.csp.push(message.text());
  });
  page.on('pageerror', (err) => problems.errors.push(err.message));
  page.on('response', (response) => {
    const url = new URL(response.url());
    const status = response.status();
    // Signed out, the session probe and a refused call answer 401, as they should.
    if (status >= 400 && !(status === 401 && ['/auth/session', '/graphql'].includes(url.pathname)) && !options.expectedFailure?.(status, url)) {
      problems.failed.push(`${status} ${response.url()}`);
    }
  });
  return { context, page, problems };
}

/** Waits for the page's running CSS transitions and animations to end. */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))));
}

/** At a phone's width nothing scrolls sideways, once the layout has settled (the navigation folds away as the viewport narrows). */
export async function expectFitsWidth(page: Page, width = 390): Promise<void> {
  await settled(page);
  await page.waitForFunction((max) => document.documentElement.scrollWidth <= max, width, { timeout: 5_000 }).catch(() => undefined);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

/** Axe on the screen once it has settled: no serious or critical violation; then a full-page screenshot named `name`. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await settled(page);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect({ screen: name, serious }).toEqual({ screen: name, serious: [] });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Waits until the element's text contains `text`. */
export async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
}

/** Picks `option` in the Mantine select labelled `label`. */
export async function choose(page: Page, label: string, option: RegExp): Promise<void> {
  await page.getByRole('textbox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

/** `describe` for a suite in Chromium; where Debian's chromium is absent it is skipped, and its title says why. */
export function describeInChromium(name: string, body: () => void): void {
  if (chromiumAvailable) describe(name, body);
  else describe.skip(`${name} (skipped: ${CHROMIUM} not installed)`, body);
}
