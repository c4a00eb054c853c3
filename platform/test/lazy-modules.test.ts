// The embedded mode never connects to Redis or exports traces: the platform must not load
// node-redis, the OpenTelemetry SDK or its instrumentations (hundreds of modules each) until a process asks.
const loaded: string[] = [];

const TRACING_MODULES = [
  '@opentelemetry/sdk-node',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-pg',
  '@opentelemetry/instrumentation-graphql',
  '@fastify/otel',
];

function watch(name: string): void {
  jest.doMock(name, () => {
    loaded.push(name);
    return jest.requireActual(name);
  });
}

beforeEach(() => {
  loaded.length = 0;
  jest.resetModules();
  ['redis', ...TRACING_MODULES].forEach(watch);
});

it('loads neither node-redis nor the OpenTelemetry SDK with the platform, nor for telemetry without an endpoint', () => {
  const platform = require('@meridian/platform') as typeof import('@meridian/platform');
  platform.startTelemetry('lazy-modules-test', { NODE_ENV: 'test' });
  platform.startTelemetryEarly('lazy-modules-test', { NODE_ENV: 'test' });
  expect(platform.tracingEnabled()).toBe(false);
  expect(loaded).toEqual([]);
});

it('loads the OpenTelemetry SDK and its instrumentations when an endpoint is configured, and stops it', async () => {
  const { startTelemetry, tracingEnabled } = require('@meridian/platform') as typeof import('@meridian/platform');
  const stop = startTelemetry('lazy-modules-test', { NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
  expect(tracingEnabled()).toBe(true);
  expect([...loaded].sort()).toEqual([...TRACING_MODULES].sort());
  await stop();
  expect(tracingEnabled()).toBe(false);
});
