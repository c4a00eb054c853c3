import { context, propagation, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { baseConfigSchema, type BaseConfig } from '../config/base-config';
import { setTracingEnabled } from './tracing';

/** The settings tracing reads (every server's config has them). */
export type TelemetrySettings = Pick<BaseConfig, 'NODE_ENV' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'TRACE_SAMPLE_RATIO'>;

/** Options for {@link startTracing}. */
export interface TracingOptions {
  /** Where spans go instead of OTLP, each as it ends (tests: an in-memory exporter). */
  exporter?: SpanExporter;
}

/** A running SDK. */
export interface RunningTracing {
  /** Flushes what is left and stops the SDK. */
  stop: () => Promise<void>;
  /** The instrumentations it registered. */
  instrumentations: Instrumentation[];
}

let running: RunningTracing | undefined;

/** The share of new traces sampled: TRACE_SAMPLE_RATIO, else 1, in production 0.1. */
export function sampleRatioOf(settings: TelemetrySettings): number {
  return settings.TRACE_SAMPLE_RATIO ?? (settings.NODE_ENV === 'production' ? 0.1 : 1);
}

/**
 * Starts the OpenTelemetry SDK once per process: the instrumentations, the
 * sampler (parent-based ratio, failing traces kept), `meridian.server` on every
 * span, personal data masked, and export over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_ENDPOINT (or to `options.exporter`). Without either it
 * does nothing, and none of the SDK is loaded. Undefined when it did not start.
 */
export function startTracing(serviceName: string, settings: TelemetrySettings, options: TracingOptions = {}): RunningTracing | undefined {
  if (running) return running;
  const endpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && !options.exporter) return undefined;
  // Loaded only when tracing is on: the SDK, its exporter and the instrumentations are hundreds of modules a process without it never runs.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { createSampler, ErrorKeepingSpanProcessor } = require('./sampling') as typeof import('./sampling');
  const { MaskingSpanExporter } = require('./masking-span-exporter') as typeof import('./masking-span-exporter');
  const { ServerAttributionProcessor } = require('./server-attribution') as typeof import('./server-attribution');
  const { createInstrumentations } = require('./instrumentations') as typeof import('./instrumentations');
  let exporter = options.exporter;
  if (!exporter) {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter({ url: `${endpoint!.replace(/\/$/, '')}/v1/traces` });
  }
  const masked = new MaskingSpanExporter(exporter);
  const exporting = options.exporter ? new SimpleSpanProcessor(masked) : new BatchSpanProcessor(masked);
  const instrumentations = createInstrumentations();
  const sdk = new NodeSDK({
    serviceName,
    // Host and process detection finishes asynchronously and holds every export until it has;
    // spans exported to memory are read at once.
    autoDetectResources: !options.exporter,
    sampler: createSampler(sampleRatioOf(settings)),
    spanProcessors: [new ServerAttributionProcessor(), new ErrorKeepingSpanProcessor(exporting)],
    instrumentations,
  });
  sdk.start();
  setTracingEnabled(true);
  const started: RunningTracing = {
    instrumentations,
    stop: async () => {
      if (running !== started) return;
      running = undefined;
      setTracingEnabled(false);
      for (const instrumentation of instrumentations) instrumentation.disable();
      await sdk.shutdown();
      // Unregistered, so the process can start tracing again (tests do).
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  running = started;
  return started;
}

/**
 * Tracing for a server process: see {@link startTracing}. Returns a function
 * that flushes and stops it (nothing to do when it did not start). A second
 * call in the same process returns the first one's.
 */
export function startTelemetry(serviceName: string, settings: TelemetrySettings): () => Promise<void> {
  return startTracing(serviceName, settings)?.stop ?? (async () => {});
}

/**
 * Starts tracing from the environment before a server's modules load: the
 * instrumentations only patch the modules required after them, so each
 * server's `src/main.ts` imports a module calling this first. Settings that do
 * not validate are left to the server's own configuration to report.
 */
export function startTelemetryEarly(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  const settings = baseConfigSchema.pick({ NODE_ENV: true, OTEL_EXPORTER_OTLP_ENDPOINT: true, TRACE_SAMPLE_RATIO: true }).safeParse({
    NODE_ENV: env.NODE_ENV || undefined,
    OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    TRACE_SAMPLE_RATIO: env.TRACE_SAMPLE_RATIO || undefined,
  });
  if (settings.success) startTracing(serviceName, settings.data);
}
