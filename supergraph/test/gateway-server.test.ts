import { createServiceTokenVerifier, ErrorCode, SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { metricValue } from '@meridian/platform/testing';
import { loadTrustedDocumentsManifest } from '@meridian/schema';
import {
  createCapturingLogger,
  type FakeSubgraph,
  LEAKY_ERROR_MESSAGE,
  startFakeSupergraph,
  type TestServiceKeys,
  unusedSubgraphUrl,
} from '@meridian/supergraph/testing';
import { createGatewayServer, loadGatewayConfig, type GatewayServerDeps } from '../src';

interface GqlBody {
  // any: tests walk the response data by hand; the schema is the fake subgraph's.
  data?: Record<string, any> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
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
beforeEach(() => {
  subgraph.requests.length = 0;
});

/** A gateway server on the fake subgraph, called in-process by a `bff-mobile` service. */
async function startGateway(env: Record<string, string> = {}, deps: GatewayServerDeps = {}) {
  const capture = createCapturingLogger();
  const config = loadGatewayConfig({ ...process.env, SUBGRAPH_TIMEOUT_MS: '2000', ...env });
  const server = await createGatewayServer(config, {
    logger: capture.logger,
    supergraphSdl,
    issueServiceToken: keys.issuerFor('gateway'),
    verifyServiceToken: createServiceTokenVerifier({ audience: 'gateway', trustedKeys: keys.trustedKeys }),
    ...deps,
  });
  const callerToken = keys.issuerFor('bff-mobile');
  async function gql(query: string, headers: Record<string, string | undefined> = {}) {
    const all: Record<string, string> = { 'content-type': 'application/json' };
    const token = SERVICE_TOKEN_HEADER in headers ? headers[SERVICE_TOKEN_HEADER] : await callerToken('gateway');
    if (token) all[SERVICE_TOKEN_HEADER] = token;
    for (const [name, value] of Object.entries(headers)) if (value && name !== SERVICE_TOKEN_HEADER) all[name] = value;
    const res = await server.app.inject({ method: 'POST', url: '/graphql', headers: all, payload: { query } });
    return { status: res.statusCode, body: JSON.parse(res.body) as GqlBody, raw: res.body };
  }
  return { server, gql, log: capture };
}

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('gateway server', () => {
  it('forwards the user token, trace, request id and client to the subgraph with a service token for it', async () => {
    const { server, gql } = await startGateway();
    try {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const { status, body } = await gql('{ echo { authorization traceparent requestId clientIp userAgent caller } }', {
        authorization: 'Bearer user-access-token',
        traceparent,
        'x-request-id': 'req-forwarded-0001',
        'x-client-ip': '203.0.113.7',
        'x-client-user-agent': 'MeridianApp/1.0 (iOS)',
      });

      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?.echo).toEqual({
        authorization: 'Bearer user-access-token',
        traceparent,
        requestId: 'req-forwarded-0001',
        clientIp: '203.0.113.7',
        userAgent: 'MeridianApp/1.0 (iOS)',
        caller: 'gateway',
      });
      const sent = subgraph.requests.at(-1)!.headers;
      expect(jwtPayload(sent[SERVICE_TOKEN_HEADER] as string)).toMatchObject({ aud: 'fake', sub: 'gateway' });
    } finally {
      await server.close();
    }
  });

  it('forwards a caller’s Idempotency-Key to the subgraph and refuses a malformed one with 400 BAD_USER_INPUT', async () => {
    const { server, gql } = await startGateway();
    try {
      const sent = await gql('{ echo { idempotencyKey } }', { 'idempotency-key': 'pay-intent-5f2a9c' });
      expect(sent.status).toBe(200);
      expect(sent.body.data?.echo).toEqual({ idempotencyKey: 'pay-intent-5f2a9c' });
      expect(subgraph.requests.at(-1)!.headers['idempotency-key']).toBe('pay-intent-5f2a9c');

      const malformed = await gql('{ echo { idempotencyKey } }', { 'idempotency-key': 'pay intent' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors?.[0].extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'idempotencyKey' });
      // The service token is checked first: a stranger learns nothing about the key.
      const stranger = await gql('{ echo { idempotencyKey } }', { 'idempotency-key': 'pay intent', [SERVICE_TOKEN_HEADER]: undefined });
      expect(stranger.status).toBe(401);
      expect(subgraph.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('refuses callers without a valid service token for the gateway', async () => {
    const { server, gql } = await startGateway();
    try {
      const missing = await gql('{ echo { caller } }', { [SERVICE_TOKEN_HEADER]: undefined });
      expect(missing.status).toBe(401);
      expect(missing.body.errors?.[0].extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);

      // A token meant for a subgraph must not open the gateway.
      const wrongAudience = await gql('{ echo { caller } }', { [SERVICE_TOKEN_HEADER]: await keys.issuerFor('bff-mobile')('fake') });
      expect(wrongAudience.status).toBe(401);
      expect(wrongAudience.body.errors?.[0].extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);

      const entities = await gql('{ _service { sdl } }', { [SERVICE_TOKEN_HEADER]: 'not-a-token' });
      expect(entities.status).toBe(401);
      expect(subgraph.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('lets only GATEWAY_CALLERS run the supergraph: by default the BFFs, not payments or insights (403 FORBIDDEN)', async () => {
    const byDefault = await startGateway();
    try {
      for (const service of ['bff-web', 'bff-mobile']) {
        const allowed = await byDefault.gql('{ echo { caller } }', { [SERVICE_TOKEN_HEADER]: await keys.issuerFor(service)('gateway') });
        expect({ service, status: allowed.status, data: allowed.body.data }).toEqual({ service, status: 200, data: { echo: { caller: 'gateway' } } });
      }
      for (const service of ['payments', 'insights']) {
        const refused = await byDefault.gql('{ echo { caller } }', { [SERVICE_TOKEN_HEADER]: await keys.issuerFor(service)('gateway') });
        expect({ service, status: refused.status, code: refused.body.errors?.[0].extensions?.code }).toEqual({ service, status: 403, code: ErrorCode.FORBIDDEN });
      }
      expect(subgraph.requests).toHaveLength(2);
    } finally {
      await byDefault.server.close();
    }

    const narrowed = await startGateway({ GATEWAY_CALLERS: 'bff-web' });
    try {
      expect((await narrowed.gql('{ echo { caller } }', { [SERVICE_TOKEN_HEADER]: await keys.issuerFor('bff-web')('gateway') })).status).toBe(200);
      expect((await narrowed.gql('{ echo { caller } }', { [SERVICE_TOKEN_HEADER]: await keys.issuerFor('bff-mobile')('gateway') })).status).toBe(403);
    } finally {
      await narrowed.server.close();
    }
    expect(() => loadGatewayConfig({ GATEWAY_CALLERS: 'bff-web,Not A Service' })).toThrow(/GATEWAY_CALLERS/);
  });

  it('masks an unexpected subgraph error and logs the original with the request id', async () => {
    const { server, gql, log } = await startGateway({ NODE_ENV: 'production' });
    try {
      const { body, raw } = await gql('{ boom }', { 'x-request-id': 'req-masked-000001' });

      expect(body.errors).toEqual([{ message: 'Internal server error', path: ['boom'], extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }]);
      for (const secret of ['10.20.30.40', 'SELECT', 'ECONNREFUSED', 'serviceName', 'stacktrace', subgraph.url, '127.0.0.1']) {
        expect(raw).not.toContain(secret);
      }
      expect(log.lines).toEqual(
        expect.arrayContaining([expect.objectContaining({ requestId: 'req-masked-000001', subgraph: 'fake' })]),
      );
      expect(log.text()).toContain('10.20.30.40');
    } finally {
      await server.close();
    }
  });

  it('shows the original error in development', async () => {
    const { server, gql } = await startGateway({ NODE_ENV: 'development' });
    try {
      const { body } = await gql('{ boom }');
      expect(body.errors?.[0].message).toBe(LEAKY_ERROR_MESSAGE);
      expect(body.errors?.[0].extensions?.code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    } finally {
      await server.close();
    }
  });

  it('answers SERVICE_UNAVAILABLE, without the fetch error, when the subgraph is down', async () => {
    const { server, gql, log } = await startGateway({ NODE_ENV: 'production' }, { subgraphUrls: { fake: await unusedSubgraphUrl() } });
    try {
      const { body, raw } = await gql('{ echo { caller } }', { 'x-request-id': 'req-down-00000001' });

      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0].extensions).toEqual({ code: ErrorCode.SERVICE_UNAVAILABLE });
      expect(raw).not.toMatch(/ECONNREFUSED|fetch failed|127\.0\.0\.1|fake/);
      expect(log.lines).toEqual(expect.arrayContaining([expect.objectContaining({ requestId: 'req-down-00000001', subgraph: 'fake' })]));
    } finally {
      await server.close();
    }
  });

  it('answers SERVICE_UNAVAILABLE when the subgraph is slower than the timeout', async () => {
    const { server, gql } = await startGateway({ NODE_ENV: 'production', SUBGRAPH_TIMEOUT_MS: '150' });
    try {
      const started = Date.now();
      const { body } = await gql('{ slow(ms: 3000) }');

      // Cut long before the subgraph answers: undici checks the deadline on a half-second timer, so within about a second of it.
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(body.errors?.[0].extensions).toEqual({ code: ErrorCode.SERVICE_UNAVAILABLE });
      expect(body.errors?.[0].message).not.toMatch(/abort|timeout/i);
    } finally {
      await server.close();
    }
  });

  it('refuses introspection in production', async () => {
    const { server, gql } = await startGateway({ NODE_ENV: 'production' });
    try {
      const { status, body } = await gql('{ __schema { queryType { name } } }');
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0].extensions?.code).toBe(ErrorCode.GRAPHQL_VALIDATION_FAILED);
    } finally {
      await server.close();
    }
  });
});

describe('gateway server metrics', () => {
  it('name operations whose name is a client document\'s, others (free-text), by the calling service and outcome', async () => {
    const { server, gql } = await startGateway({}, { operationNames: new Set(['HomeScreen']) });
    try {
      expect((await gql('query HomeScreen { echo { requestId } }')).body.errors).toBeUndefined();
      await gql('query Invented { echo { requestId } }');
      await gql('{ boom }');
      const registry = server.registry!;
      const ops = (labels: Record<string, string>) => metricValue(registry, 'graphql_operations_total', { client: 'bff-mobile', ...labels });
      expect(await ops({ operation: 'HomeScreen', outcome: 'ok' })).toBe(1);
      expect(await ops({ operation: '(free-text)', outcome: 'ok' })).toBe(1);
      expect(await ops({ operation: '(free-text)', outcome: ErrorCode.INTERNAL_SERVER_ERROR })).toBe(1);
      expect(await ops({ operation: 'Invented', outcome: 'ok' })).toBeUndefined();
      const scraped = await server.app.inject({ method: 'GET', url: '/metrics' });
      expect(scraped.body).toMatch(/graphql_operation_duration_seconds_count\{service="gateway",operation="HomeScreen",client="bff-mobile"\} 1/);
    } finally {
      await server.close();
    }
  });

  it('by default know the operation names of the web and mobile manifests', async () => {
    const { server, gql } = await startGateway();
    try {
      const mobile = Object.values(loadTrustedDocumentsManifest('mobile'));
      const name = /^(?:query|mutation)\s+(\w+)/.exec(mobile[0])![1];
      await gql(`query ${name} { echo { requestId } }`);
      expect(await metricValue(server.registry!, 'graphql_operations_total', { operation: name, client: 'bff-mobile', outcome: 'ok' })).toBe(1);
    } finally {
      await server.close();
    }
  });
});
