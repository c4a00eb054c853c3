// The embedded mode never connects to Redis or exports traces: the platform must not load
// node-redis or the OpenTelemetry SDK (hundreds of modules each) until a process asks.
const loaded: string[] = [];

function watch(name: string): void {
  jest.doMock(name, () => {
    loaded.push(name);
    return jest.requireActual(name);
  });
}

beforeEach(() => {
  loaded.length = 0;
  jest.resetModules();
  ['redis', '@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-http'].forEach(watch);
});

it('loads neither node-redis nor the OpenTelemetry SDK with the platform, nor for telemetry without an endpoint', () => {
  const platform = require('@meridian/platform') as typeof import('@meridian/platform');
  platform.startTelemetry('lazy-modules-test', undefined);
  expect(loaded).toEqual([]);
});

it('loads the OpenTelemetry SDK when an endpoint is configured, and stops it', async () => {
  const { startTelemetry } = require('@meridian/platform') as typeof import('@meridian/platform');
  const stop = startTelemetry('lazy-modules-test', 'http://127.0.0.1:4318');
  expect(loaded).toEqual(['@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-http']);
  await stop();
});
