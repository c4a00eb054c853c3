// Light on purpose: a server's main.ts imports this before anything tracing instruments,
// so it loads @opentelemetry/api and the settings' schema, and the SDK only when tracing starts.
export * from './tracing';
export * from './personal-data';
export { nameServer, serverNameOf } from './server-attribution';
export { sampleRatioOf, startTelemetry, startTelemetryEarly, startTracing, type RunningTracing, type TelemetrySettings, type TracingOptions } from './start-telemetry';
