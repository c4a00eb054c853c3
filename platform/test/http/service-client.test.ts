import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceClient, createServiceTokenVerifier, DomainError, SERVICE_TOKEN_HEADER, ServiceCallError } from '@meridian/platform';
import { createTestServiceKeys, type TestServiceKeys } from '@meridian/platform/testing';

// The internal-API client over real HTTP (undici on kept-alive connections): how each kind of
// answer reaches the caller, and that calls share connections.

let keys: TestServiceKeys;
let server: http.Server;
let base: string;
let connections = 0;
const seen: { method: string; url: string; caller: string; body: string }[] = [];

beforeAll(async () => {
  keys = await createTestServiceKeys(['payments']);
  const verify = createServiceTokenVerifier({ audience: 'banking', trustedKeys: keys.trustedKeys });
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      void (async () => {
        const caller = await verify(req.headers[SERVICE_TOKEN_HEADER] as string).catch(() => 'nobody');
        seen.push({ method: req.method!, url: req.url!, caller, body });
        const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (req.url === '/ok') return json(200, { echo: body ? JSON.parse(body) : null });
        if (req.url === '/empty') return res.writeHead(204).end();
        if (req.url === '/refused') return json(409, { errors: [{ message: 'Account is closed.', extensions: { code: 'CONFLICT', state: 'CLOSED' } }] });
        if (req.url === '/ledger-shape') return json(422, { error: { code: 'INSUFFICIENT_FUNDS', message: 'Not enough money.' } });
        if (req.url === '/unavailable') return json(503, { errors: [{ message: 'Busy.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
        if (req.url === '/crash') return json(500, { errors: [{ message: 'boom', extensions: { code: 'CONFLICT' } }] });
        if (req.url === '/html') return res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
        if (req.url === '/slow') return setTimeout(() => json(200, {}), 1_000);
        return json(404, {});
      })();
    });
  });
  server.on('connection', () => (connections += 1));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = (timeoutMs?: number) => createServiceClient({ baseUrl: `${base}/`, audience: 'banking', serviceToken: keys.issuerFor('payments'), timeoutMs });

describe('createServiceClient over HTTP', () => {
  it('sends JSON with its own service token and answers the parsed body; calls share kept-alive connections', async () => {
    const api = client();
    const before = connections;
    const answers = [];
    for (let i = 0; i < 20; i += 1) answers.push(await api.request<{ echo: unknown }>('POST', '/ok', { n: i }));
    expect(answers.map((a) => a.echo)).toEqual(Array.from({ length: 20 }, (_, n) => ({ n })));
    // One call after another: undici may open a second connection while the first is handed back, never one per call.
    expect(connections - before).toBeLessThanOrEqual(2);
    expect(seen.slice(-20).every((r) => r.caller === 'payments' && r.method === 'POST')).toBe(true);
    expect(await api.request('GET', '/empty')).toBeUndefined();
  });

  it('turns an answer in either error shape into the DomainError it names, with its details', async () => {
    const api = client();
    const refused = await api.request('GET', '/refused').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: 'Account is closed.', extensions: { code: 'CONFLICT', state: 'CLOSED' } });
    await expect(api.request('POST', '/ledger-shape', {})).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', message: 'Not enough money.' });
    await expect(api.request('GET', '/unavailable')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('reports an outcome it cannot know as ServiceCallError: a 5xx with another code, no JSON, a timeout, nobody listening', async () => {
    await expect(client().request('POST', '/crash', {})).rejects.toMatchObject({ name: 'ServiceCallError', status: 500 });
    await expect(client().request('GET', '/html')).rejects.toMatchObject({ name: 'ServiceCallError', status: 502 });
    const slow = await client(100).request('GET', '/slow').catch((err: unknown) => err);
    expect(slow).toBeInstanceOf(ServiceCallError);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const nobody = createServiceClient({ baseUrl: `http://127.0.0.1:${port}`, audience: 'banking', serviceToken: keys.issuerFor('payments') });
    await expect(nobody.request('GET', '/ok')).rejects.toBeInstanceOf(ServiceCallError);
  });
});
