// The development GraphiQL in a real Chromium, offline: the page, its locally built bundle and a query
// that travels browser → web BFF → identity → database and back. Skips where Debian's chromium is absent.
import fs from 'node:fs';
import { createIdentityServer, loadIdentityConfig, type IdentityServer } from '@meridian/identity';
import type { MeridianServer } from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createWebBffServer, loadWebBffConfig } from '../src';

const CHROMIUM = '/usr/bin/chromium';
const available = fs.existsSync(CHROMIUM);
const run = available ? describe : describe.skip;
const title = available ? 'GraphiQL in Chromium' : `GraphiQL in Chromium (skipped: ${CHROMIUM} not installed)`;

/** Set to a file path to keep a screenshot of the page after the query ran. */
const screenshotPath = process.env.GRAPHIQL_SCREENSHOT;

const email = `graphiql.${Date.now()}@example.com`;
const password = 'a long and unusual passphrase';
const displayName = 'GraphiQL Tester';
const origin = { ip: '127.0.0.1', userAgent: 'test', requestId: 'seed' };

function portOf(server: MeridianServer): number {
  const address = server.app.server.address();
  if (!address || typeof address !== 'object') throw new Error(`${server.name} is not listening`);
  return address.port;
}

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** The CodeMirror 5 instance GraphiQL 4 hangs on each editor's `.CodeMirror` element. */
type CodeMirrorHost = Element & { CodeMirror?: { getValue(): string; setValue(value: string): void } };

const QUERY_EDITOR = '.graphiql-query-editor';
const RESULT = '.result-window';

/** Replaces an editor's text through CodeMirror, as typing would, so GraphiQL's state follows. */
async function setEditorText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(`${selector} .CodeMirror`).waitFor();
  await page.evaluate(
    ([sel, value]) => {
      const host = document.querySelector<CodeMirrorHost>(`${sel} .CodeMirror`);
      if (!host?.CodeMirror) throw new Error(`no CodeMirror editor under ${sel}`);
      host.CodeMirror.setValue(value);
    },
    [selector, text] as const,
  );
}

/** An editor's whole text, including lines CodeMirror has not rendered. */
function editorText(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (sel) => document.querySelector<CodeMirrorHost>(`${sel} .CodeMirror`)?.CodeMirror?.getValue() ?? '',
    selector,
  );
}

run(title, () => {
  let db: TestDatabase;
  let identity: IdentityServer;
  let web: MeridianServer;
  let browser: Browser;
  let graphiqlUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    identity = await createIdentityServer(loadIdentityConfig({ ...process.env, MIGRATE_ON_START: 'true' }), {
      databaseUrl: db.url,
    });
    await identity.app.listen({ port: 0, host: '127.0.0.1' });
    web = await createWebBffServer(
      loadWebBffConfig({
        ...process.env,
        NODE_ENV: 'development',
        IDENTITY_URL: `http://127.0.0.1:${portOf(identity)}/graphql`,
        // The BFF verifies access tokens (scopes, rate limits) against this identity's keys.
        IDENTITY_JWKS_URL: `http://127.0.0.1:${portOf(identity)}/.well-known/jwks.json`,
      }),
    );
    await web.app.listen({ port: 0, host: '127.0.0.1' });
    graphiqlUrl = `http://127.0.0.1:${portOf(web)}/graphql`;

    await identity.accounts.register({ email, password, displayName }, origin);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await identity?.close();
    await db?.drop();
  });

  it('loads without any request leaving the machine, signs in with the session cookie and runs { me }', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      // Every request of the context, not only the page's: none may leave 127.0.0.1.
      const external: string[] = [];
      const local: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (isLocal(url)) {
          local.push(new URL(url).pathname);
          return route.continue();
        }
        external.push(url);
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      const failedAssets: string[] = [];
      let signedIn = false;
      page.on('response', (response) => {
        // While signed out the session probe and the refused query answer 401, as they should; every other response must succeed.
        const expected = !signedIn && ['/auth/session', '/graphql'].includes(new URL(response.url()).pathname) && response.status() === 401;
        if (response.status() >= 400 && !expected) failedAssets.push(`${response.status()} ${response.url()}`);
      });

      const response = await page.goto(graphiqlUrl, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      // The first load waits for esbuild to bundle GraphiQL.
      await page.locator(`${QUERY_EDITOR} .CodeMirror`).waitFor({ timeout: 30_000 });

      // Signed out, the query is refused.
      await setEditorText(page, QUERY_EDITOR, '{ me { email displayName } }');
      await page.locator('.graphiql-execute-button').click();
      await page.locator(RESULT).getByText('UNAUTHENTICATED').waitFor({ timeout: 15_000 });

      // Sign in from the playground's bar: the BFF answers with an HttpOnly cookie, no token.
      signedIn = true;
      await page.locator('[data-testid="session-bar"] input[name="email"]').fill(email);
      await page.locator('[data-testid="session-bar"] input[name="password"]').fill(password);
      await page.locator('[data-testid="session-bar"] button[type="submit"]').click();
      await page.locator('[data-testid="signed-in-as"]').getByText(email).waitFor({ timeout: 15_000 });
      const cookies = await context.cookies();
      expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
        { name: 'meridian-session', httpOnly: true, sameSite: 'Lax' },
      ]);
      expect(await page.evaluate(() => document.cookie)).toBe('');
      await page.locator('.graphiql-execute-button').click();

      // On screen first (what a developer sees), then the whole JSON.
      await page.locator(RESULT).getByText(email).waitFor({ timeout: 15_000 });
      expect(JSON.parse(await editorText(page, RESULT))).toMatchObject({ data: { me: { email, displayName } }, extensions: { cost: { requestedQueryCost: 1 } } });

      if (screenshotPath) await page.screenshot({ path: screenshotPath });
      expect(external).toEqual([]);
      // The guard saw the traffic, so an empty list above means something.
      expect(local).toEqual(expect.arrayContaining(['/graphql', '/graphiql/graphiql.js', '/graphiql/graphiql.css', '/auth/login']));
      expect(failedAssets).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
