// Loaded only when tracing starts (see start-telemetry.ts): it needs the SDK.
import { SpanStatusCode, TraceFlags, type Context } from '@opentelemetry/api';
import {
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { isRefusalCode } from './refusals';

/** Records a span without sampling it: it exists in this process, and is exported only if its trace fails. */
class RecordOnlySampler implements Sampler {
  shouldSample(): SamplingResult {
    return { decision: SamplingDecision.RECORD };
  }

  toString(): string {
    return 'RecordOnlySampler';
  }
}

/** A new trace is sampled for `ratio` of trace ids and recorded (not sampled) otherwise. */
class RecordingRatioSampler implements Sampler {
  private readonly ratio: TraceIdRatioBasedSampler;

  constructor(private readonly share: number) {
    this.ratio = new TraceIdRatioBasedSampler(share);
  }

  shouldSample(context: Context, traceId: string): SamplingResult {
    const result = this.ratio.shouldSample(context, traceId);
    return result.decision === SamplingDecision.RECORD_AND_SAMPLED ? result : { decision: SamplingDecision.RECORD };
  }

  toString(): string {
    return `RecordingRatioSampler{${this.share}}`;
  }
}

/**
 * Parent-based ratio sampling that keeps errors: a new trace is sampled for
 * `ratio` of trace ids, a continued one as its parent was. Traces not sampled
 * are still recorded, so {@link ErrorKeepingSpanProcessor} can export the ones
 * that fail; their `traceparent` goes on with the not-sampled flag.
 */
export function createSampler(ratio: number): Sampler {
  const recordOnly = new RecordOnlySampler();
  return new ParentBasedSampler({ root: new RecordingRatioSampler(ratio), remoteParentNotSampled: recordOnly, localParentNotSampled: recordOnly });
}

/** Limits of what {@link ErrorKeepingSpanProcessor} holds for traces not sampled. */
export interface ErrorKeepingLimits {
  /** Traces held at once; past it the oldest is dropped. Default 2,000. */
  maxTraces?: number;
  /** Spans held per trace; past it further spans of that trace are dropped unless it already failed. Default 1,000. */
  maxSpansPerTrace?: number;
  /** Decisions remembered for spans that end after their trace's local roots did. Default 10,000. */
  maxDecisions?: number;
}

interface HeldTrace {
  spans: ReadableSpan[];
  /** Local roots (no parent, or a parent in another process) started and not yet ended. */
  openRoots: number;
  failed: boolean;
}

const SAMPLED_FLAGS = TraceFlags.SAMPLED;

function isSampled(span: ReadableSpan): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

/**
 * A span that failed: status ERROR, unless every exception on it is an expected refusal
 * (a resolver's BAD_USER_INPUT marks its span ERROR, yet the request was answered as designed).
 */
export function hasFailed(span: ReadableSpan): boolean {
  if (span.status.code !== SpanStatusCode.ERROR) return false;
  const exceptions = span.events.filter((event) => event.name === 'exception');
  return exceptions.length === 0 || !exceptions.every((event) => isRefusalCode(event.attributes?.['exception.type']));
}

function isLocalRoot(span: ReadableSpan): boolean {
  return !span.parentSpanContext || span.parentSpanContext.isRemote === true;
}

/** The span as a sampled one: the exporting processors skip spans without the flag. */
function asSampled(span: ReadableSpan): ReadableSpan {
  const spanContext = { ...span.spanContext(), traceFlags: SAMPLED_FLAGS };
  return Object.create(span, { spanContext: { value: () => spanContext } }) as ReadableSpan;
}

/**
 * Passes sampled spans to `next` as they end, and holds the spans of traces
 * that were not sampled until the trace's local roots (the spans this process
 * started it with) have all ended: if any of its spans failed (status ERROR),
 * the whole local part of the trace is passed on, otherwise it is dropped. A
 * span that ends later (background work of the request) follows its trace's
 * decision, and a failing one is passed on whatever was decided.
 */
export class ErrorKeepingSpanProcessor implements SpanProcessor {
  private readonly held = new Map<string, HeldTrace>();
  private readonly decided = new Map<string, boolean>();
  private readonly maxTraces: number;
  private readonly maxSpansPerTrace: number;
  private readonly maxDecisions: number;

  constructor(
    private readonly next: SpanProcessor,
    limits: ErrorKeepingLimits = {},
  ) {
    this.maxTraces = limits.maxTraces ?? 2_000;
    this.maxSpansPerTrace = limits.maxSpansPerTrace ?? 1_000;
    this.maxDecisions = limits.maxDecisions ?? 10_000;
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
    if (isSampled(span) || !isLocalRoot(span)) return;
    const traceId = span.spanContext().traceId;
    if (this.decided.has(traceId)) return;
    this.traceOf(traceId).openRoots += 1;
  }

  onEnd(span: ReadableSpan): void {
    if (isSampled(span)) {
      this.next.onEnd(span);
      return;
    }
    const traceId = span.spanContext().traceId;
    const failed = hasFailed(span);
    const decision = this.decided.get(traceId);
    if (decision !== undefined) {
      if (decision || failed) this.next.onEnd(asSampled(span));
      if (failed && !decision) this.decide(traceId, true);
      return;
    }
    const trace = this.traceOf(traceId);
    trace.failed ||= failed;
    if (trace.failed) {
      // Once a trace failed, what it held and what follows goes on without waiting.
      for (const held of trace.spans) this.next.onEnd(asSampled(held));
      trace.spans = [];
      this.next.onEnd(asSampled(span));
    } else if (trace.spans.length < this.maxSpansPerTrace) {
      trace.spans.push(span);
    }
    if (isLocalRoot(span)) trace.openRoots -= 1;
    if (trace.openRoots <= 0) {
      this.held.delete(traceId);
      this.decide(traceId, trace.failed);
    }
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    this.held.clear();
    this.decided.clear();
    return this.next.shutdown();
  }

  private traceOf(traceId: string): HeldTrace {
    let trace = this.held.get(traceId);
    if (!trace) {
      if (this.held.size >= this.maxTraces) this.held.delete(this.held.keys().next().value!);
      trace = { spans: [], openRoots: 0, failed: false };
      this.held.set(traceId, trace);
    }
    return trace;
  }

  private decide(traceId: string, keep: boolean): void {
    this.decided.delete(traceId);
    if (this.decided.size >= this.maxDecisions) this.decided.delete(this.decided.keys().next().value!);
    this.decided.set(traceId, keep);
  }
}
