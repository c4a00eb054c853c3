// The dashboard's build served by the web BFF at `/`: cache headers, the SPA fallback, the
// content policy with its per-request nonce, the BFF's own routes untouched, and no build at all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, type MeridianServer } from '@meridian/platform';
import { createCapturingLogger, startFakeSupergraph, type FakeSubgraph, type TestServiceKeys } from '@meridian/supergraph/testing';
import { CSP_NONCE_PLACEHOLDER, createWebBffServer, GRAPHIQL_ASSET_PREFIX, loadWebBffConfig } from '../src';

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;
const dirs: string[] = [];

beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(async () => {
  await subgraph.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const SCRIPT = 'index-Bx3f9a1c.js';
const STYLE = 'index-C0ffee12.css';
const page = (placeholder = CSP_NONCE_PLACEHOLDER) =>
  `<!doctype html><html><head><meta name="csp-nonce" content="${placeholder}" /><script type="module" src="/assets/${SCRIPT}"></script></head><body><div id="root"></div></body></html>`;

/** A build as Vite lays it out: index.html and hashed files under assets/. */
function fakeBuild(index = page()): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-web-app-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), index);
  fs.writeFileSync(path.join(dir, 'assets', SCRIPT), 'console.log("dashboard");');
  fs.writeFileSync(path.join(dir, 'assets', STYLE), 'body { margin: 0 }');
  fs.mkdirSync(path.join(dir, '.vite'));
  fs.writeFileSync(path.join(dir, '.vite', 'manifest.json'), '{}');
  return dir;
}

async function startWebBff(env: Record<string, string>) {
  const capture = createCapturingLogger();
  const server = await createWebBffServer(loadWebBffConfig({ ...process.env, ...env }), {
    logger: capture.logger,
    supergraphSdl,
    issueServiceToken: keys.issuerFor('bff-web'),
  });
  return { server, capture };
}

const get = (server: MeridianServer, url: string, headers: Record<string, string> = { accept: 'text/html' }) => server.app.inject({ method: 'GET', url, headers });

/** The nonce a CSP header allows styles with. */
function nonceOf(csp: unknown): string {
  const match = /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(String(csp));
  if (!match) throw new Error(`no style nonce in ${String(csp)}`);
  return match[1];
}

describe('the dashboard at /', () => {
  let server: MeridianServer;
  beforeAll(async () => {
    ({ server } = await startWebBff({ WEB_APP_DIR: fakeBuild() }));
  });
  afterAll(() => server.close());

  it('answers index.html, never cached, with a strict CSP whose style nonce is new on every load and written into the page', async () => {
    const first = await get(server, '/');
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-cache');
    const csp = String(first.headers['content-security-policy']);
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.slice(d.indexOf(' ') + 1)]));
    expect(directives).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': `'self' 'nonce-${nonceOf(csp)}'`,
      'img-src': "'self' data:",
      'font-src': "'self'",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
    });
    // No inline script and no eval: nothing but 'self' may run.
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src[^;]*nonce/);
    expect(first.body).toContain(`<meta name="csp-nonce" content="${nonceOf(csp)}" />`);
    expect(first.body).not.toContain(CSP_NONCE_PLACEHOLDER);
    const second = await get(server, '/');
    expect(nonceOf(second.headers['content-security-policy'])).not.toBe(nonceOf(csp));
    expect(Buffer.from(nonceOf(csp), 'base64')).toHaveLength(16);
  });

  it.each(['/accounts', '/accounts/01a25154-4c8c-71a4-93a9-4f8ebe922f93?from=2026-01-01', '/transfer?from=abc', '/verify-email?token=mev_abc', '/reset-password?token=mpr_abc', '/sign-in?redirect=%2Faccounts', '/%61ccounts'])(
    'answers the app for the route %s, which the app itself routes',
    async (url) => {
      const res = await get(server, url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`/assets/${SCRIPT}`);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    },
  );

  it('serves hashed assets for a year as immutable, with their own types', async () => {
    const script = await get(server, `/assets/${SCRIPT}`, {});
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe('console.log("dashboard");');
    const style = await get(server, `/assets/${STYLE}`, {});
    expect(style.headers['content-type']).toMatch(/^text\/css/);
    expect(style.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it.each(['/assets/index-missing.js', '/favicon.ico', '/robots.txt', '/.vite/manifest.json', '/.build-hash', '/index.html', '/assets/../index.html', '/auth/nothing-here', '/health/nothing', '/graphiql/nothing.js', '/uploads', '/exports/transactions.csv/x', '/kyc/documents'])(
    'answers %s with a 404 in the error shape, not the app',
    async (url) => {
      const res = await get(server, url);
      expect(res.statusCode).toBe(404);
      expect(res.json().errors[0].extensions.code).toBe(ErrorCode.NOT_FOUND);
    },
  );

  it("leaves the BFF's own routes as they were: GraphQL, the session routes, health", async () => {
    const graphql = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ __typename }' } });
    expect(graphql.statusCode).toBe(200);
    expect(graphql.json()).toMatchObject({ data: { __typename: 'Query' } });
    for (const url of ['/auth/session', '/%61uth/session']) {
      const session = await get(server, url, { accept: 'application/json' });
      expect(session.statusCode).toBe(401);
      expect(session.json().errors[0].extensions.code).toBe(ErrorCode.UNAUTHENTICATED);
    }
    const login = await server.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, payload: { email: 'a@b.c', password: 'x' } });
    expect(login.statusCode).toBe(403);
    expect(login.json().errors[0].extensions).toMatchObject({ code: ErrorCode.FORBIDDEN, reason: 'CSRF' });
    expect((await get(server, '/health/live', {})).statusCode).toBe(200);
    // Outside development there is no GraphiQL: a browser's GET on /graphql still reaches GraphQL, not the app.
    const browserGet = await get(server, '/graphql');
    expect(browserGet.body).not.toContain('csp-nonce');
  });
});

describe('without a build', () => {
  it('starts, logs a warning, answers / and app routes with a 404 that says how to build, and serves the API', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-no-web-app-'));
    dirs.push(empty);
    const { server, capture } = await startWebBff({ WEB_APP_DIR: empty });
    try {
      expect(capture.lines).toEqual(expect.arrayContaining([expect.objectContaining({ level: 40, dir: empty, msg: expect.stringContaining('not built') })]));
      for (const url of ['/', '/accounts']) {
        const res = await get(server, url);
        expect(res.statusCode).toBe(404);
        expect(res.json().errors[0]).toMatchObject({
          message: expect.stringContaining('npm run build -w apps/web'),
          extensions: { code: ErrorCode.NOT_FOUND, reason: 'WEB_APP_NOT_BUILT' },
        });
      }
      const graphql = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ __typename }' } });
      expect(graphql.json()).toMatchObject({ data: { __typename: 'Query' } });
    } finally {
      await server.close();
    }
  });

  it('refuses to start on a directory whose index.html is not a build of apps/web (no nonce placeholder)', async () => {
    await expect(startWebBff({ WEB_APP_DIR: fakeBuild(page('fixed-nonce')) })).rejects.toThrow(/__CSP_NONCE__/);
  });
});

describe('in development', () => {
  it('keeps GraphiQL at /graphql with its own policy beside the dashboard at /', async () => {
    const { server } = await startWebBff({ NODE_ENV: 'development', WEB_APP_DIR: fakeBuild() });
    try {
      const graphiql = await get(server, '/graphql');
      expect(graphiql.statusCode).toBe(200);
      expect(graphiql.body).toContain(`${GRAPHIQL_ASSET_PREFIX}/graphiql.js`);
      expect(graphiql.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
      const app = await get(server, '/accounts');
      expect(app.body).toContain(`/assets/${SCRIPT}`);
      expect(app.headers['content-security-policy']).toContain("style-src 'self' 'nonce-");
    } finally {
      await server.close();
    }
  });
});
