import http from 'node:http';
import { createHttpServer, createLogger, createServiceTokenVerifier, type HttpServer, type ReadinessCheck } from '@meridian/platform';
import { createTestServiceKeys } from '@meridian/platform/testing';
import { settleWithin } from '../helpers/settle-within';

const logger = createLogger({ service: 'http-server-test', level: 'silent', pretty: false });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The samples of one metric in Prometheus text, with their labels, whatever the label order. */
function samples(text: string, metric: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`))
    .map((line) => {
      const [, labelText, value] = /^[^{]+\{(.*)\} (\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
      return { labels, value: Number(value) };
    });
}

const servers: HttpServer[] = [];
function serve(options: { readiness?: ReadinessCheck[]; bodyLimit?: number; readinessTimeoutMs?: number } = {}): HttpServer {
  const server = createHttpServer({ name: 'test-svc', logger, ...options });
  server.app.post('/echo', async (request) => ({ received: request.body }));
  servers.push(server);
  return server;
}
afterAll(() => Promise.all(servers.map((s) => s.app.close())));

describe('health endpoints', () => {
  it('answers /health/live with 200', async () => {
    const res = await serve().app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers /health/ready with 200 when every check passes', async () => {
    const { app } = serve({ readiness: [{ name: 'database', check: async () => {} }, { name: 'redis', check: async () => {} }] });
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      checks: [
        { name: 'database', status: 'ok' },
        { name: 'redis', status: 'ok' },
      ],
    });
  });

  it('answers /health/ready with 503 and names the failing check, without its error', async () => {
    const { app } = serve({
      readiness: [
        { name: 'database', check: async () => {} },
        { name: 'redis', check: async () => Promise.reject(new Error('ECONNREFUSED 10.1.2.3:6379')) },
      ],
    });
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'failing',
      checks: [
        { name: 'database', status: 'ok' },
        { name: 'redis', status: 'failing' },
      ],
    });
    expect(res.body).not.toContain('ECONNREFUSED');
  });

  it('times out a check that hangs instead of hanging itself', async () => {
    const { app } = serve({
      readinessTimeoutMs: 200,
      readiness: [
        { name: 'database', check: () => new Promise<void>(() => {}) },
        { name: 'redis', check: async () => {} },
      ],
    });
    const outcome = await settleWithin(app.inject({ method: 'GET', url: '/health/ready' }), 10_000);
    expect(outcome.status).toBe('resolved');
    if (outcome.status !== 'resolved') return;
    expect(outcome.value.statusCode).toBe(503);
    expect(outcome.value.json().checks).toEqual([
      { name: 'database', status: 'failing' },
      { name: 'redis', status: 'ok' },
    ]);
  });

  it('answers 200 when there is nothing to check', async () => {
    const res = await serve().app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('returns Prometheus text with the request duration histogram, labelled by route', async () => {
    const { app } = serve();
    await app.inject({ method: 'GET', url: '/health/live' });
    await app.inject({ method: 'GET', url: '/no/such/route/12345' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('# TYPE http_server_request_duration_seconds histogram');
    const counts = samples(res.body, 'http_server_request_duration_seconds_count');
    expect(counts).toContainEqual({
      labels: { service: 'test-svc', method: 'GET', route: '/health/live', status: '200' },
      value: 1,
    });
    // Unknown URLs share one label, so a scanner cannot blow up the series count.
    expect(counts).toContainEqual({ labels: { service: 'test-svc', method: 'GET', route: 'unmatched', status: '404' }, value: 1 });
    expect(res.body).not.toContain('/no/such/route');
    expect(res.body).toContain('graphql_errors_total');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('keeps each server in its own registry', async () => {
    const a = serve();
    const b = serve();
    await a.app.inject({ method: 'GET', url: '/health/live' });
    const metricsOfB = (await b.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricsOfB).not.toMatch(/route="\/health\/live"/);
  });
});

describe('request ids', () => {
  it('echoes a well-formed x-request-id', async () => {
    const id = 'req-2024.01:abcdef_42';
    const res = await serve().app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toBe(id);
  });

  it('generates one when it is missing', async () => {
    const { app } = serve();
    const first = await app.inject({ method: 'GET', url: '/health/live' });
    const second = await app.inject({ method: 'GET', url: '/health/live' });
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'abc def ghi'],
    ['with markup', '<script>alert(1)</script>'],
    ['with a CR', 'abcdefgh\rinjected'],
  ])('replaces one that is %s', async (_label, id) => {
    const res = await serve().app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('sends it on errors too', async () => {
    const res = await serve().app.inject({ method: 'GET', url: '/missing', headers: { 'x-request-id': 'trace-0001-abcd' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('trace-0001-abcd');
  });
});

describe('body limit', () => {
  const json = (size: number) => JSON.stringify({ data: 'x'.repeat(size) });

  it('accepts a body under the limit', async () => {
    const res = await serve({ bodyLimit: 1_024 }).app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: json(100),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().received.data).toHaveLength(100);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await serve({ bodyLimit: 1_024 }).app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: json(2_000),
    });
    expect(res.statusCode).toBe(413);
  });

  it('defaults to 100 KiB', async () => {
    const { app } = serve();
    const post = (size: number) =>
      app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: json(size) });
    expect((await post(90 * 1024)).statusCode).toBe(200);
    expect((await post(110 * 1024)).statusCode).toBe(413);
  });
});

describe('errors outside GraphQL', () => {
  it('answers a body over the limit with 413 REQUEST_TOO_LARGE in the GraphQL error shape', async () => {
    const { app } = serve({ bodyLimit: 64 });
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: { text: 'x'.repeat(200) } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'REQUEST_TOO_LARGE' } }] });
  });

  it('answers malformed JSON and an unsupported content type with a 4xx BAD_USER_INPUT', async () => {
    const { app } = serve();
    const broken = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const form = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
    expect(form.statusCode).toBe(415);
    expect(form.json().errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers an unknown path with 404 NOT_FOUND, and an unexpected failure with a masked 500', async () => {
    const { app } = serve();
    app.get('/explode', async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.9:5432 SELECT secret FROM users');
    });
    const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ errors: [{ message: 'Nothing at GET /nowhere.', extensions: { code: 'NOT_FOUND' } }] });
    const boom = await app.inject({ method: 'GET', url: '/explode' });
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({ errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(boom.body).not.toMatch(/ECONNREFUSED|SELECT/);
  });
});

/** Sends one raw HTTP/1.1 request with `target` exactly as written, as an attacker would. */
async function rawRequest(port: number, method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path: target, agent: false, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('request targets', () => {
  it('refuses absolute form, asterisk form, a leading // and fragments with 400 before any route hook or handler runs', async () => {
    const server = createHttpServer({ name: 'test-svc', logger });
    servers.push(server);
    let reached = 0;
    server.app.get('/thing', { onRequest: async () => void (reached += 1) }, async () => ({ ok: true }));
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (server.app.server.address() as { port: number }).port;
    expect((await rawRequest(port, 'GET', '/thing')).status).toBe(200);
    expect(reached).toBe(1);
    for (const target of [`http://127.0.0.1:${port}/thing`, 'HTTP://x/thing', 'https://x/thing', '*', '//thing', '//x/thing', '/thing#', '/thing#x']) {
      const res = await rawRequest(port, 'GET', target);
      expect({ target, status: res.status }).toEqual({ target, status: 400 });
      expect(JSON.parse(res.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    expect(reached).toBe(1);
  });
});

describe('service access', () => {
  it('guards every route not on the public list, including ones added later in a prefixed plugin and HEAD twins, and honours route callers', async () => {
    const keys = await createTestServiceKeys();
    const server = createHttpServer({
      name: 'test-svc',
      logger,
      serviceAccess: { verify: createServiceTokenVerifier({ audience: 'test-svc', trustedKeys: keys.trustedKeys }), publicRoutes: [{ url: '/open', methods: ['GET', 'HEAD'] }] },
    });
    servers.push(server);
    const { app } = server;
    app.get('/open', async () => ({ open: true }));
    app.get('/closed', async (request) => ({ caller: request.serviceCaller }));
    await app.register(
      async (scope) => {
        scope.post('/move', { config: { serviceCallers: ['payments'] } }, async (request) => ({ caller: request.serviceCaller }));
      },
      { prefix: '/internal' },
    );
    const token = async (service: string) => ({ 'x-service-token': await keys.issuerFor(service)('test-svc') });

    expect((await app.inject({ method: 'GET', url: '/open' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    for (const [method, url] of [['GET', '/closed'], ['HEAD', '/closed'], ['POST', '/internal/move'], ['POST', '/%69nternal/move']] as const) {
      const res = await app.inject({ method, url });
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 401 });
    }
    expect((await app.inject({ method: 'GET', url: '/closed', headers: await token('gateway') })).json()).toEqual({ caller: 'gateway' });
    const forbidden = await app.inject({ method: 'POST', url: '/internal/move', headers: await token('gateway') });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await app.inject({ method: 'POST', url: '/internal/move', headers: await token('payments') })).json()).toEqual({ caller: 'payments' });

    expect(app.routeAccess()).toEqual(
      expect.arrayContaining([
        { method: 'GET', url: '/open', access: 'public' },
        { method: 'GET', url: '/health/live', access: 'public' },
        { method: 'GET', url: '/closed', access: 'service' },
        { method: 'HEAD', url: '/closed', access: 'service' },
        { method: 'POST', url: '/internal/move', access: 'service', callers: ['payments'] },
      ]),
    );
  });

  it('makes public only the listed methods of a public path: another method on it, at once or added later, needs a token', async () => {
    const keys = await createTestServiceKeys();
    const server = createHttpServer({
      name: 'test-svc',
      logger,
      serviceAccess: { verify: createServiceTokenVerifier({ audience: 'test-svc', trustedKeys: keys.trustedKeys }), publicRoutes: [{ url: '/open', methods: ['GET'] }] },
    });
    servers.push(server);
    const { app } = server;
    // One route for two methods, and a third method on the same path registered on its own.
    app.route({ method: ['GET', 'POST'], url: '/open', handler: async (request) => ({ method: request.method, caller: request.serviceCaller ?? null }) });
    app.put('/open', async (request) => ({ method: request.method, caller: request.serviceCaller ?? null }));
    const token = { 'x-service-token': await keys.issuerFor('gateway')('test-svc') };

    const get = await app.inject({ method: 'GET', url: '/open' });
    expect({ status: get.statusCode, body: get.json() }).toEqual({ status: 200, body: { method: 'GET', caller: null } });
    for (const [method, url] of [['POST', '/open'], ['PUT', '/open'], ['HEAD', '/open'], ['HEAD', '/metrics'], ['HEAD', '/%6fpen']] as const) {
      const res = await app.inject({ method, url, ...(method === 'HEAD' ? {} : { payload: {} }) });
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 401 });
    }
    expect((await app.inject({ method: 'POST', url: '/open', headers: token, payload: {} })).json()).toEqual({ method: 'POST', caller: 'gateway' });
    expect((await app.inject({ method: 'PUT', url: '/open', headers: token, payload: {} })).json()).toEqual({ method: 'PUT', caller: 'gateway' });
    // Health stays public to GET and HEAD; metrics to GET.
    for (const [method, url] of [['GET', '/health/live'], ['HEAD', '/health/live'], ['HEAD', '/health/ready'], ['GET', '/metrics']] as const) {
      expect({ method, url, status: (await app.inject({ method, url })).statusCode }).toEqual({ method, url, status: 200 });
    }

    expect(app.routeAccess().filter((entry) => entry.url === '/open' || entry.url === '/metrics')).toEqual(
      expect.arrayContaining([
        { method: 'GET', url: '/open', access: 'public' },
        { method: 'POST', url: '/open', access: 'service' },
        { method: 'PUT', url: '/open', access: 'service' },
        { method: 'HEAD', url: '/open', access: 'service' },
        { method: 'GET', url: '/metrics', access: 'public' },
        { method: 'HEAD', url: '/metrics', access: 'service' },
      ]),
    );
  });
});
