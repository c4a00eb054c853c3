import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry tracing once per process, exporting over OTLP/HTTP only
 * when an endpoint is configured. Returns a function that flushes and stops it.
 */
export function startTelemetry(serviceName: string, endpoint: string | undefined): () => Promise<void> {
  if (!endpoint || sdk) return async () => {};
  sdk = new NodeSDK({
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
