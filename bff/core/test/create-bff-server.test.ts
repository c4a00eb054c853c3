import http from 'node:http';
import { ErrorCode, loadConfig } from '@meridian/platform';
import {
  createCapturingLogger,
  deepNodeQuery,
  type FakeSubgraph,
  startFakeSupergraph,
  type TestServiceKeys,
  unusedSubgraphUrl,
} from '@meridian/supergraph/testing';
import { bffConfigSchema, createBffServer, type BffDeps } from '../src';

interface GqlBody {
  // any: tests walk the response data by hand; the schema is the fake subgraph's.
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

let keys: TestServiceKeys;
let subgraph: FakeSubgraph;
let supergraphSdl: string;

beforeAll(async () => {
  ({ keys, subgraph, supergraphSdl } = await startFakeSupergraph());
});
afterAll(async () => {
  await subgraph.close();
});

/** POSTs `body` to `target` written exactly as given on the request line (an array header is sent as repeated lines). */
function fetchRaw(port: number, target: string, body: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: target, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** A BFF with a depth limit of 4 on the fake subgraph, called in-process. */
async function startBff(env: Record<string, string> = {}, deps: BffDeps = {}) {
  const capture = createCapturingLogger();
  const config = loadConfig(bffConfigSchema, { ...process.env, ...env });
  const server = await createBffServer({
    name: 'bff-test',
    config,
    limits: { maxDepth: 4, maxAliases: 50, maxDirectives: 50, maxTokens: 10_000, maxRootFields: 50, maxCost: 100_000, defaultListSize: 10 },
    deps: { logger: capture.logger, supergraphSdl, issueServiceToken: keys.issuerFor('bff-test'), ...deps },
  });
  async function gql(query: string, headers: Record<string, string> = {}, remoteAddress?: string) {
    const res = await server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...headers },
      payload: { query },
      remoteAddress,
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as GqlBody, raw: res.body };
  }
  return { server, gql, log: capture };
}

describe('BFF pipeline', () => {
  it('accepts a query at the depth limit and refuses a deeper one with QUERY_TOO_COMPLEX before any subgraph call', async () => {
    const { server, gql } = await startBff();
    try {
      const atLimit = await gql(deepNodeQuery(4));
      expect(atLimit.body.errors).toBeUndefined();
      expect(atLimit.body.data?.node.child.child.id).toBe('3');

      const before = subgraph.requests.length;
      const tooDeep = await gql(deepNodeQuery(5));
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.errors).toEqual([
        { message: 'Query depth limit of 4 exceeded, found 5.', extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason: 'depth', limit: 4 } },
      ]);
      expect(subgraph.requests.length).toBe(before);
    } finally {
      await server.close();
    }
  });

  it('counts fragments by the fields they add', async () => {
    const { server, gql } = await startBff();
    try {
      const { body } = await gql('query { node { ...Deep } } fragment Deep on Node { child { ... on Node { child { id } } } }');
      expect(body.errors).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('forwards the client’s token, trace and request id, and its own address and agent rather than forged ones', async () => {
    const { server, gql } = await startBff();
    try {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const { body } = await gql(
        '{ echo { authorization traceparent requestId clientIp userAgent caller } }',
        {
          authorization: 'Bearer user-access-token',
          traceparent,
          'x-request-id': 'req-bff-000000001',
          'user-agent': 'Mozilla/5.0 Meridian',
          'x-client-ip': '10.0.0.1',
          'x-client-user-agent': 'forged',
        },
        '198.51.100.23',
      );
      expect(body.data?.echo).toEqual({
        authorization: 'Bearer user-access-token',
        traceparent,
        requestId: 'req-bff-000000001',
        clientIp: '198.51.100.23',
        userAgent: 'Mozilla/5.0 Meridian',
        caller: 'bff-test',
      });
    } finally {
      await server.close();
    }
  });

  it('forwards each request’s own Idempotency-Key to its subgraph fetch, even when requests overlap, and none to a request without one', async () => {
    const { server, gql } = await startBff();
    try {
      const client = `198.51.100.${10 + Math.floor(Math.random() * 200)}`;
      const intents = ['pay-7d1c0b52-first', 'pay-0e9a4f31-second', '!~', 'x'.repeat(255)];
      // slow(ms:) keeps every request's subgraph fetch open while the others are sent.
      const answers = await Promise.all(
        intents.map((key, i) =>
          gql('{ echo { idempotencyKey requestId } slow(ms: 100) }', { 'idempotency-key': key, 'x-request-id': `req-idem-concurrent-${i}` }, client),
        ),
      );
      intents.forEach((key, i) => {
        expect(answers[i].status).toBe(200);
        expect(answers[i].body.data?.echo).toEqual({ idempotencyKey: key, requestId: `req-idem-concurrent-${i}` });
        const fetches = subgraph.requests.filter((r) => r.headers['x-request-id'] === `req-idem-concurrent-${i}`);
        expect(fetches.map((r) => r.headers['idempotency-key'])).toEqual([key]);
      });

      const without = await gql('{ echo { idempotencyKey requestId } }', { 'x-request-id': 'req-idem-without-1' }, client);
      expect(without.body.data?.echo).toEqual({ idempotencyKey: null, requestId: 'req-idem-without-1' });
      expect(subgraph.requests.find((r) => r.headers['x-request-id'] === 'req-idem-without-1')?.headers['idempotency-key']).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('refuses a malformed Idempotency-Key with 400 BAD_USER_INPUT before any subgraph call', async () => {
    const { server, gql } = await startBff();
    try {
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (server.app.server.address() as { port: number }).port;
      const before = subgraph.requests.length;
      const refusal = {
        message: 'The Idempotency-Key header must be 1 to 255 printable ASCII characters without spaces.',
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'idempotencyKey' },
      };
      for (const key of ['', 'two words', 'tab\there', 'x'.repeat(256), 'clé-1234', 'a, b']) {
        const res = await gql('{ echo { idempotencyKey } }', { 'idempotency-key': key });
        expect({ key, status: res.status }).toEqual({ key, status: 400 });
        expect(res.body).toEqual({ errors: [refusal] });
      }
      // Two keys on one request (as a proxy or a confused client might send them) are refused too, as are other spellings of /graphql.
      const twice = await fetchRaw(port, '/graphql', JSON.stringify({ query: '{ echo { idempotencyKey } }' }), { 'idempotency-key': ['key-one', 'key-two'] });
      expect(twice.status).toBe(400);
      expect(JSON.parse(twice.body)).toEqual({ errors: [refusal] });
      const spelled = await fetchRaw(port, '/%67raphql', JSON.stringify({ query: '{ echo { idempotencyKey } }' }), { 'idempotency-key': 'two words' });
      expect(spelled.status).toBe(400);
      expect(JSON.parse(spelled.body)).toEqual({ errors: [refusal] });
      expect(subgraph.requests.length).toBe(before);
    } finally {
      await server.close();
    }
  });

  it('masks unexpected errors and reports an unreachable subgraph as SERVICE_UNAVAILABLE', async () => {
    const { server, gql } = await startBff({ NODE_ENV: 'production' });
    const down = await startBff({ NODE_ENV: 'production' }, { subgraphUrls: { fake: await unusedSubgraphUrl() } });
    try {
      const masked = await gql('{ boom }');
      expect(masked.body.errors?.[0]).toEqual({ message: 'Internal server error', path: ['boom'], extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
      expect(masked.raw).not.toMatch(/10\.20\.30\.40|SELECT|serviceName|stacktrace/);

      const unavailable = await down.gql('{ echo { caller } }');
      expect(unavailable.body.errors?.[0].extensions).toEqual({ code: ErrorCode.SERVICE_UNAVAILABLE });
    } finally {
      await server.close();
      await down.server.close();
    }
  });

  it('refuses introspection and drops "Did you mean" hints in production', async () => {
    const { server, gql } = await startBff({ NODE_ENV: 'production' });
    try {
      const introspection = await gql('{ __schema { queryType { name } } }');
      expect(introspection.status).toBe(400);
      expect(introspection.body.data).toBeUndefined();
      expect(introspection.body.errors).toHaveLength(1);
      expect(introspection.body.errors?.[0]).toMatchObject({
        message: 'Introspection is disabled.',
        extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
      });

      const typo = await gql('{ nod { id } }');
      expect(typo.body.errors?.[0].extensions?.code).toBe(ErrorCode.GRAPHQL_VALIDATION_FAILED);
      expect(typo.body.errors?.[0].message).not.toContain('Did you mean');
    } finally {
      await server.close();
    }
  });

  it('keeps introspection and hints outside production', async () => {
    const { server, gql } = await startBff({ NODE_ENV: 'test' });
    try {
      const introspection = await gql('{ __schema { queryType { name } } }');
      expect(introspection.body.data?.__schema.queryType.name).toBe('Query');
      const typo = await gql('{ nod { id } }');
      expect(typo.body.errors?.[0].message).toContain('Did you mean "node"?');
    } finally {
      await server.close();
    }
  });
});

describe('BFF HTTP edge', () => {
  it('sends security headers on every response', async () => {
    const { server, gql } = await startBff();
    try {
      const res = await server.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: '{ echo { requestId } }' } });
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect((await gql('{ echo { requestId } }')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('serves /metrics only on its internal metrics server, never on the public port', async () => {
    const { server, gql } = await startBff();
    try {
      await gql('{ echo { requestId } }');
      const publicMetrics = await server.app.inject({ method: 'GET', url: '/metrics' });
      expect(publicMetrics.statusCode).toBe(404);
      expect(publicMetrics.json().errors[0].extensions.code).toBe('NOT_FOUND');
      expect(server.metricsApp).toBeDefined();
      const internal = await server.metricsApp!.inject({ method: 'GET', url: '/metrics' });
      expect(internal.statusCode).toBe(200);
      expect(internal.body).toContain('service="bff-test"');
      expect(internal.body).toMatch(/route="\/graphql"/);
      expect((await server.metricsApp!.inject({ method: 'POST', url: '/graphql', payload: {} })).statusCode).toBe(404);
      expect((await server.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses request targets that are not an absolute path with 400 before GraphQL runs', async () => {
    const { server } = await startBff();
    try {
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (server.app.server.address() as { port: number }).port;
      const before = subgraph.requests.length;
      for (const target of [`http://127.0.0.1:${port}/graphql`, '//graphql', '/graphql#x']) {
        const res = await fetchRaw(port, target, JSON.stringify({ query: '{ echo { requestId } }' }));
        expect({ target, status: res.status }).toEqual({ target, status: 400 });
        expect(JSON.parse(res.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      }
      expect(subgraph.requests.length).toBe(before);
    } finally {
      await server.close();
    }
  });

  it('answers CORS only for origins on the allow-list, with credentials', async () => {
    const { server } = await startBff({ CORS_ALLOWED_ORIGINS: 'https://app.meridian.example, http://localhost:5173' });
    try {
      const preflight = (origin: string) =>
        server.app.inject({
          method: 'OPTIONS',
          url: '/graphql',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      const allowed = await preflight('https://app.meridian.example');
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.meridian.example');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      expect(String(allowed.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(allowed.headers['access-control-allow-headers']).split(/,\s*/)).toContain('idempotency-key');

      const other = await preflight('https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const lookalike = await preflight('https://app.meridian.example.evil.example');
      expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('takes the client address from X-Forwarded-For only when the socket is a trusted proxy', async () => {
    const { server } = await startBff({ TRUSTED_PROXIES: '10.0.0.0/8, loopback', RATE_LIMIT_ANONYMOUS: '2' });
    const call = (remoteAddress: string, forwardedFor?: string) =>
      server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
        payload: { query: '{ echo { requestId } }' },
        remoteAddress,
      });
    try {
      // Through the ingress (10.x), each client has its own limit of 2.
      const client = `203.0.113.${10 + Math.floor(Math.random() * 200)}`;
      expect((await call('10.1.2.3', client)).statusCode).toBe(200);
      expect((await call('10.1.2.4', client)).statusCode).toBe(200);
      expect((await call('10.1.2.3', client)).statusCode).toBe(429);
      expect((await call('10.1.2.3', '198.51.100.77')).statusCode).toBe(200);
      // A client that talks to the BFF directly cannot choose its address: the header is ignored.
      const direct = `192.0.2.${10 + Math.floor(Math.random() * 200)}`;
      expect((await call(direct, '198.51.100.1')).statusCode).toBe(200);
      expect((await call(direct, '198.51.100.2')).statusCode).toBe(200);
      const refused = await call(direct, '198.51.100.3');
      expect(refused.statusCode).toBe(429);
      expect(refused.json().errors[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await server.close();
    }
  });

  it('refuses a trusted-proxy setting that is not addresses or ranges, naming the variable', () => {
    expect(loadConfig(bffConfigSchema, { TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7, fd00::/8, uniquelocal' }).TRUSTED_PROXIES).toHaveLength(4);
    expect(loadConfig(bffConfigSchema, {}).TRUSTED_PROXIES).toEqual([]);
    for (const bad of ['*', 'true', '10.0.0.0/33', 'ingress.local', '10.0.0.0/8/1']) {
      expect(() => loadConfig(bffConfigSchema, { TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });

  it('refuses a CORS setting that is not a list of bare origins, naming the variable', () => {
    expect(() => loadConfig(bffConfigSchema, { CORS_ALLOWED_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ALLOWED_ORIGINS/);
    expect(() => loadConfig(bffConfigSchema, { CORS_ALLOWED_ORIGINS: '*' })).toThrow(/CORS_ALLOWED_ORIGINS/);
  });

  it('speaks GraphQL over HTTP: the spec media type, queries only over GET, no batching, a body limit', async () => {
    const { server } = await startBff();
    try {
      const typed = await server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        payload: { query: '{ echo { requestId } }' },
      });
      expect(typed.headers['content-type']).toMatch(/^application\/graphql-response\+json/);

      const get = await server.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ echo { requestId } }')}`, headers: { 'apollo-require-preflight': 'true' } });
      expect(get.statusCode).toBe(200);
      expect(get.json().data.echo.requestId).toBeTruthy();

      const batch = await server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify([{ query: '{ echo { requestId } }' }, { query: '{ echo { requestId } }' }]),
      });
      expect(batch.statusCode).toBe(400);

      const huge = await server.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ query: `{ echo { requestId } } # ${'x'.repeat(200 * 1024)}` }),
      });
      expect(huge.statusCode).toBe(413);

      // A simple-content-type POST (what a cross-site form can send) is refused before execution.
      const form = await server.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'text/plain' }, payload: '{"query":"{ echo { requestId } }"}' });
      expect(form.statusCode).toBe(400);
    } finally {
      await server.close();
    }
  });
});
