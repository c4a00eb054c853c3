import { defaultTextMapGetter, ROOT_CONTEXT, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createSampler, ErrorKeepingSpanProcessor, hasFailed } from '../../src/telemetry/sampling';
import { sampleRatioOf } from '@meridian/platform';

// The sampler and the processor as startTelemetry wires them, on a tracer provider of the test's own.

function tracing(ratio: number, limits = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler: createSampler(ratio), spanProcessors: [new ErrorKeepingSpanProcessor(new SimpleSpanProcessor(exporter), limits)] });
  return { exporter, tracer: provider.getTracer('test') };
}

/** A root with two children, the second failing when asked. */
function request(tracer: Tracer, fails: boolean, parent = ROOT_CONTEXT): string {
  const root = tracer.startSpan('request', {}, parent);
  const inRoot = trace.setSpan(parent, root);
  tracer.startSpan('sql', {}, inRoot).end();
  const fetch = tracer.startSpan('fetch', {}, inRoot);
  if (fails) fetch.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  fetch.end();
  root.end();
  return root.spanContext().traceId;
}

/** The context of a remote parent, as an incoming `traceparent` makes it. */
function remote(traceId: string, flags: '00' | '01') {
  return new W3CTraceContextPropagator().extract(ROOT_CONTEXT, { traceparent: `00-${traceId}-b7ad6b7169203331-${flags}` }, defaultTextMapGetter);
}

describe('sampling', () => {
  it('samples every trace at ratio 1 and none that succeed at ratio 0', () => {
    const all = tracing(1);
    for (let i = 0; i < 5; i++) request(all.tracer, false);
    expect(all.exporter.getFinishedSpans()).toHaveLength(15);

    const none = tracing(0);
    for (let i = 0; i < 5; i++) request(none.tracer, false);
    expect(none.exporter.getFinishedSpans()).toEqual([]);
  });

  it('samples about the ratio of new traces', () => {
    const { exporter, tracer } = tracing(0.25);
    for (let i = 0; i < 2_000; i++) tracer.startSpan('root').end();
    const share = exporter.getFinishedSpans().length / 2_000;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
  });

  it('keeps a trace that failed whole, however the ratio decided, with its spans correctly parented', () => {
    const { exporter, tracer } = tracing(0);
    request(tracer, false);
    const traceId = request(tracer, true);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['fetch', 'request', 'sql']);
    expect(spans.every((s) => s.spanContext().traceId === traceId)).toBe(true);
    const root = spans.find((s) => s.name === 'request')!;
    expect(spans.filter((s) => s !== root).every((s) => s.parentSpanContext?.spanId === root.spanContext().spanId)).toBe(true);
  });

  it('does not keep a trace for an expected refusal marked on a span', () => {
    const { exporter, tracer } = tracing(0);
    const span = tracer.startSpan('resolve');
    span.recordException({ name: 'DomainError', message: 'The account does not have enough available funds.', code: 'INSUFFICIENT_FUNDS' } as Error & { code: string });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'The account does not have enough available funds.' });
    span.end();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(hasFailed(span as unknown as ReadableSpan)).toBe(false);
  });

  it('follows the decision of the caller that sent a traceparent', () => {
    const { exporter, tracer } = tracing(0);
    request(tracer, false, remote('0af7651916cd43dd8448eb211c80319c', '01'));
    expect(exporter.getFinishedSpans()).toHaveLength(3);
    expect(exporter.getFinishedSpans().every((s) => s.spanContext().traceId === '0af7651916cd43dd8448eb211c80319c')).toBe(true);

    const sampled = tracing(1);
    request(sampled.tracer, false, remote('1af7651916cd43dd8448eb211c80319c', '00'));
    expect(sampled.exporter.getFinishedSpans()).toEqual([]);
    // A caller that did not sample still gets its failures kept.
    request(sampled.tracer, true, remote('2af7651916cd43dd8448eb211c80319c', '00'));
    expect(sampled.exporter.getFinishedSpans()).toHaveLength(3);
  });

  it('passes on the late spans of a kept trace and a late failure of a dropped one', () => {
    const kept = tracing(0);
    const failing = kept.tracer.startSpan('request');
    const late = kept.tracer.startSpan('audit', {}, trace.setSpan(ROOT_CONTEXT, failing));
    failing.setStatus({ code: SpanStatusCode.ERROR });
    failing.end();
    late.end();
    expect(kept.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['request', 'audit']);

    const { exporter, tracer } = tracing(0);
    const root = tracer.startSpan('request');
    const inRoot = trace.setSpan(ROOT_CONTEXT, root);
    const background = tracer.startSpan('email', {}, inRoot);
    root.end();
    expect(exporter.getFinishedSpans()).toEqual([]);
    background.setStatus({ code: SpanStatusCode.ERROR });
    background.end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['email']);
  });

  it('holds at most maxTraces traces not sampled', () => {
    const { exporter, tracer } = tracing(0, { maxTraces: 2 });
    const roots = [1, 2, 3].map(() => tracer.startSpan('request'));
    const children = roots.map((root) => tracer.startSpan('sql', {}, trace.setSpan(ROOT_CONTEXT, root)));
    children.forEach((child) => child.end());
    // The first trace was dropped to hold the third: its failure is all that is left of it.
    roots[0].setStatus({ code: SpanStatusCode.ERROR });
    roots.forEach((root) => root.end());
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['request']);
  });

  it('defaults to every trace outside production and one in ten in production', () => {
    expect(sampleRatioOf({ NODE_ENV: 'development' })).toBe(1);
    expect(sampleRatioOf({ NODE_ENV: 'production' })).toBe(0.1);
    expect(sampleRatioOf({ NODE_ENV: 'production', TRACE_SAMPLE_RATIO: 0.5 })).toBe(0.5);
  });
});
