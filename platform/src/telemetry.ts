import type { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry tracing once per process, exporting over OTLP/HTTP only
 * when an endpoint is configured. Returns a function that flushes and stops it.
 */
export function startTelemetry(serviceName: string, endpoint: string | undefined): () => Promise<void> {
  if (!endpoint || sdk) return async () => {};
  // Loaded only when tracing is on: the SDK and its exporter are hundreds of modules a process without it never runs.
  const { NodeSDK: Sdk } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  sdk = new Sdk({
    serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
  });
  sdk.start();
  const started = sdk;
  return async () => {
    await started.shutdown();
    sdk = undefined;
  };
}
