import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { SERVICE_TOKEN_HEADER } from '@meridian/platform';
import { createTestDatabase, createTestServiceKeys, spawnServer, type TestDatabase } from '@meridian/platform/testing';

// Identity's own entry point as the container runs it (node --import tsx src/main.ts), exporting
// traces over OTLP/HTTP to a receiver of the test's: its first import starts the SDK before the
// modules it instruments load, so the trace of a request reaches its SQL, continuing the caller's trace.
jest.setTimeout(180_000);

const workspace = path.resolve(__dirname, '../..');

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: number } }[];
}

interface OtlpBody {
  resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An OTLP/HTTP receiver keeping every JSON body posted to /v1/traces. */
async function startReceiver(): Promise<{ url: string; bodies: OtlpBody[]; raw: string[]; close(): Promise<void> }> {
  const bodies: OtlpBody[] = [];
  const raw: string[] = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        raw.push(text);
        bodies.push(JSON.parse(text) as OtlpBody);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, raw, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

it('traces a request from the caller’s traceparent to its SQL statements, exported when the server stops', async () => {
  const receiver = await startReceiver();
  const keys = await createTestServiceKeys();
  const port = await freePort();
  const identity = spawnServer('src/main.ts', {
    cwd: workspace,
    env: {
      ...process.env,
      ...keys.env(),
      DATABASE_URL: db.url,
      MIGRATE_ON_START: 'true',
      IDENTITY_WORKERS: 'false',
      IDENTITY_PORT: String(port),
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    },
  });
  try {
    await identity.waitFor('listening', (line) => line.msg.startsWith('Server listening'));
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const email = `traced.${Date.now()}@example.com`;
    const body = JSON.stringify({ query: `mutation { register(input: { email: "${email}", password: "a long and unusual passphrase", displayName: "Traced Person" }) { email } }` });
    const answer = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        [SERVICE_TOKEN_HEADER]: await keys.issuerFor('gateway')('identity'),
      },
      body,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { register: { email } } });

    // A graceful stop flushes the spans still batched.
    identity.child.kill('SIGTERM');
    expect(await identity.exited).toBe(0);

    const scoped = receiver.bodies.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, scope: s.scope.name, resource: r.resource })))));
    const spans = scoped.filter((s) => s.traceId === traceId);
    const service = spans[0]?.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
    expect(service).toBe('identity');
    const scopes = new Set(spans.map((s) => s.scope));
    for (const scope of ['@opentelemetry/instrumentation-http', '@fastify/otel', '@opentelemetry/instrumentation-graphql', '@opentelemetry/instrumentation-pg']) {
      expect(scopes).toContain(scope);
    }
    // The server's span continues the caller's; every other span has its parent in the trace.
    const server = spans.find((s) => s.scope === '@opentelemetry/instrumentation-http')!;
    expect(server.parentSpanId).toBe('00f067aa0ba902b7');
    const ids = new Set(spans.map((s) => s.spanId));
    expect(spans.filter((s) => s !== server && !ids.has(s.parentSpanId ?? ''))).toEqual([]);
    // Nothing personal left the process: the document's values are starred, statements carry none.
    expect(receiver.raw.join('')).not.toContain(email);
    expect(receiver.raw.join('')).not.toContain('Traced Person');
  } finally {
    if (identity.child.exitCode === null) identity.child.kill('SIGKILL');
    await receiver.close();
  }
});
