import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '@meridian/platform';
import { createTrustedDocumentStore, documentIdOf, type TrustedDocumentStore } from '@meridian/bff-core';
import {
  createCapturingLogger,
  deepNodeQuery,
  type FakeSubgraph,
  startFakeSupergraph,
  type TestServiceKeys,
} from '@meridian/supergraph/testing';
import { createWebBffServer, loadWebBffConfig } from '../src';

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;

beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(async () => {
  await subgraph.close();
});

const ECHO = 'query Echo { echo { requestId } }';

async function startWebBff(env: Record<string, string> = {}, trustedDocuments?: TrustedDocumentStore) {
  const config = loadWebBffConfig({ ...process.env, ...env });
  return createWebBffServer(config, {
    logger: createCapturingLogger().logger,
    supergraphSdl,
    issueServiceToken: keys.issuerFor('bff-web'),
    trustedDocuments,
  });
}

describe('web BFF', () => {
  it('defaults to port 4000 and depth 12', () => {
    const config = loadWebBffConfig({});
    expect(config.WEB_BFF_PORT).toBe(4000);
    expect(config.WEB_MAX_DEPTH).toBe(12);
    expect(config.IDENTITY_URL).toBe('http://127.0.0.1:4201/graphql');
    expect(config.SUBGRAPH_TIMEOUT_MS).toBe(5000);
  });

  it('accepts a query 12 levels deep and refuses 13 with QUERY_TOO_COMPLEX', async () => {
    const server = await startWebBff();
    try {
      const post = (query: string) => server.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
      const atLimit = await post(deepNodeQuery(12));
      expect(atLimit.statusCode).toBe(200);
      expect(atLimit.json().errors).toBeUndefined();

      const tooDeep = await post(deepNodeQuery(13));
      expect(tooDeep.statusCode).toBe(400);
      expect(tooDeep.json().errors[0]).toMatchObject({
        message: expect.stringContaining('12'),
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason: 'depth', limit: 12 },
      });
    } finally {
      await server.close();
    }
  });

  it('runs only the dashboard\'s trusted documents in production, and refuses introspection even where free text is allowed', async () => {
    const trusted = createTrustedDocumentStore({ [documentIdOf(ECHO).slice('sha256:'.length)]: ECHO });
    const production = await startWebBff({ NODE_ENV: 'production' }, trusted);
    try {
      const introspection = await production.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ __schema { types { name } } }' } });
      expect(introspection.statusCode).toBe(400);
      expect(introspection.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_ID_REQUIRED);
      const byId = await production.app.inject({ method: 'POST', url: '/graphql', payload: { documentId: documentIdOf(ECHO) } });
      expect(byId.statusCode).toBe(200);
      expect(byId.json().data.echo.requestId).toEqual(expect.any(String));
      const unknown = await production.app.inject({ method: 'POST', url: '/graphql', payload: { documentId: `sha256:${'1'.repeat(64)}` } });
      expect(unknown.json().errors[0].extensions.code).toBe(ErrorCode.PERSISTED_QUERY_NOT_FOUND);
    } finally {
      await production.close();
    }
    const optional = await startWebBff({ NODE_ENV: 'production', WEB_TRUSTED_DOCUMENTS: 'optional' }, trusted);
    try {
      const res = await optional.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ __schema { types { name } } }' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].extensions.code).toBe(ErrorCode.GRAPHQL_VALIDATION_FAILED);
    } finally {
      await optional.close();
    }
  });

  it('lets an allowed browser origin send Idempotency-Key (CORS preflight), forwards it to the subgraph, and refuses a malformed one readably', async () => {
    const origin = 'https://app.meridian.example';
    const server = await startWebBff({ CORS_ALLOWED_ORIGINS: origin });
    try {
      const preflight = await server.app.inject({
        method: 'OPTIONS',
        url: '/graphql',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(origin);
      expect(String(preflight.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(expect.arrayContaining(['content-type', 'idempotency-key']));

      const post = (key: string) =>
        server.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { origin, 'content-type': 'application/json', 'idempotency-key': key },
          payload: { query: '{ echo { idempotencyKey } }' },
        });
      const before = subgraph.requests.length;
      const sent = await post('0b6f7c1e-5d0a-4c8e-9a57-3f1f2d9e8a10');
      expect(sent.statusCode).toBe(200);
      expect(sent.json().data.echo.idempotencyKey).toBe('0b6f7c1e-5d0a-4c8e-9a57-3f1f2d9e8a10');
      expect(subgraph.requests.at(-1)!.headers['idempotency-key']).toBe('0b6f7c1e-5d0a-4c8e-9a57-3f1f2d9e8a10');

      const malformed = await post('not a key');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().errors[0].extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'idempotencyKey' });
      // With CORS headers, so the dashboard can read why.
      expect(malformed.headers['access-control-allow-origin']).toBe(origin);
      expect(subgraph.requests.length).toBe(before + 1);
    } finally {
      await server.close();
    }
  });

  it('serves GraphiQL and its locally built bundle in development, sending to /graphql with cookies', async () => {
    const server = await startWebBff({ NODE_ENV: 'development' });
    try {
      const page = await server.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<script src="/graphiql/graphiql.js"></script>');
      expect(page.body).not.toMatch(/https?:\/\//);

      const js = await server.app.inject({ method: 'GET', url: '/graphiql/graphiql.js' });
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toMatch(/^text\/javascript/);
      expect(js.body).toContain('credentials:"include"');
      expect(js.body).toContain('"/graphql"');

      const css = await server.app.inject({ method: 'GET', url: '/graphiql/graphiql.css' });
      expect(css.statusCode).toBe(200);
      expect(css.body).toContain('.graphiql-container');

      // API clients on the same URL still reach GraphQL.
      const api = await server.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ node { id } }' } });
      expect(api.json()).toMatchObject({ data: { node: { id: '1' } }, extensions: { cost: { requestedQueryCost: 1 } } });
    } finally {
      await server.close();
    }
  });

  it('serves no GraphiQL outside development', async () => {
    const server = await startWebBff({ NODE_ENV: 'production' });
    try {
      const page = await server.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
      expect(page.headers['content-type']).not.toMatch(/^text\/html/);
      expect(page.body).not.toContain('<script');
      const js = await server.app.inject({ method: 'GET', url: '/graphiql/graphiql.js' });
      expect(js.statusCode).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('web BFF dependencies', () => {
  it('keeps GraphiQL and its build tools out of production: development dependencies, loaded only when the page is first built', () => {
    const root = path.resolve(__dirname, '../../..');
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const tool of ['graphiql', 'react', 'react-dom', 'esbuild']) {
      expect(pkg.dependencies[tool]).toBeUndefined();
      expect(pkg.devDependencies[tool]).toBeDefined();
    }
    // A process that loads the web BFF's server module, as production does, and lists what it loaded.
    const loaded = execFileSync(
      process.execPath,
      ['--import', 'tsx', '-e', "require('./bff/web/src/server.ts'); console.log(JSON.stringify(Object.keys(require.cache)))"],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const modules = JSON.parse(loaded.trim().split('\n').pop()!) as string[];
    expect(modules.some((m) => m.includes('/bff/web/src/server.ts'))).toBe(true);
    expect(modules.filter((m) => /node_modules\/(graphiql|react|react-dom|@graphiql)\//.test(m))).toEqual([]);
  });
});
