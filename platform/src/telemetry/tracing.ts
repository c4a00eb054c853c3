import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { isRefusalCode } from './refusals';

export { ROOT_CONTEXT, SpanKind, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';

/** The tracer of Meridian's own spans; the instrumentations have theirs. */
const TRACER_NAME = 'meridian';

/** The attribute naming the server a span belongs to, when one process runs several (embedded, tests). */
export const SERVER_ATTRIBUTE = 'meridian.server';

/** The code of an expected refusal (a DomainError's), recorded on a span that it does not mark as failed. */
export const ERROR_CODE_ATTRIBUTE = 'meridian.error.code';

const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

let enabled = false;

/** Whether the SDK runs in this process: without it every helper here returns at once. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** Set by the SDK's start and stop only. */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

/** Options for {@link withSpan}. */
export interface WithSpanOptions {
  kind?: SpanKind;
  /** The context to start in; default the active one. */
  parent?: Context;
  /** Spans this one follows from without being their child (a batch's other callers, an event's producer). */
  links?: Link[];
}

/** The `extensions.code` of a GraphQL error, if it has one. */
function codeOf(err: unknown): string | undefined {
  const code = (err as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs `fn` in a span of its own, active for everything `fn` starts. A throw
 * marks the span as failed, unless it is an expected refusal (an error with a
 * client code, such as BAD_USER_INPUT or RATE_LIMITED), which is recorded as
 * `meridian.error.code`. Without the SDK it only calls `fn` with a span that records nothing.
 */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, options: WithSpanOptions = {}): Promise<T> {
  if (!enabled) return fn(NOOP_SPAN);
  const tracer = trace.getTracer(TRACER_NAME);
  const span = tracer.startSpan(name, { attributes, kind: options.kind, links: options.links }, options.parent ?? context.active());
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () => fn(span));
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Records an error on a span: an expected refusal (an error with a client code) as
 * `meridian.error.code`, anything else as an exception that marks the span failed.
 */
export function recordError(span: Span, err: unknown): void {
  const code = codeOf(err);
  if (isRefusalCode(code)) {
    span.setAttribute(ERROR_CODE_ATTRIBUTE, code);
    return;
  }
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Adds attributes to the active span (a no-op without one, or without the SDK). */
export function setSpanAttributes(attributes: Attributes): void {
  if (enabled) trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active context, to start spans in later (a batch that runs after its callers queued). */
export function activeContext(): Context {
  return enabled ? context.active() : ROOT_CONTEXT;
}

/** Sets an attribute on the span active in `ctx`, if there is one. */
export function setAttributeIn(ctx: Context, key: string, value: number | string | boolean): void {
  if (enabled) trace.getSpan(ctx)?.setAttribute(key, value);
}

/** A link to the span active in `ctx`, if it names one. */
export function linkTo(ctx: Context): Link | undefined {
  const spanContext = enabled ? trace.getSpanContext(ctx) : undefined;
  return spanContext && trace.isSpanContextValid(spanContext) ? { context: spanContext } : undefined;
}

/**
 * The W3C `traceparent` of the active span, for work that outlives the request
 * (an event in the outbox and on its stream); undefined when nothing is traced.
 */
export function currentTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A link to the span a `traceparent` names: how an event's consumer points back at its producer. Undefined when absent or malformed. */
export function linkFromTraceparent(traceparent: string | undefined): Link | undefined {
  if (!enabled || !traceparent) return undefined;
  return linkTo(propagation.extract(ROOT_CONTEXT, { traceparent }));
}

/** The trace and span ids of the active span, for log lines; undefined outside a span. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!enabled) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : undefined;
}
