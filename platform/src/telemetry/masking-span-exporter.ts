import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { maskAttributes, maskPersonalData } from './personal-data';
import { isRefusalCode } from './refusals';

/**
 * An exception event as exported: a refusal's message (written for the user, quoting what
 * they sent, e.g. a payee's name) and its stack (which repeats it) become its code; any other's are masked.
 */
function maskEvent(event: TimedEvent): TimedEvent {
  const attributes = event.attributes ?? {};
  const type = attributes['exception.type'];
  if (event.name === 'exception' && isRefusalCode(type)) {
    const { 'exception.message': _message, 'exception.stacktrace': _stack, ...rest } = attributes;
    return { ...event, attributes: { ...maskAttributes(rest), 'exception.message': type } };
  }
  return { ...event, name: maskPersonalData(event.name), attributes: event.attributes && maskAttributes(event.attributes) };
}

/** The span as exported: its name, status, attributes, events and links with personal data masked. */
function maskSpan(span: ReadableSpan): ReadableSpan {
  const refusals = new Map<unknown, string>();
  for (const event of span.events) {
    const type = event.attributes?.['exception.type'];
    if (event.name === 'exception' && isRefusalCode(type)) refusals.set(event.attributes?.['exception.message'], type);
  }
  const { status } = span;
  const message = status.message === undefined ? undefined : (refusals.get(status.message) ?? maskPersonalData(status.message));
  return Object.create(span, {
    name: { value: maskPersonalData(span.name) },
    status: { value: message === undefined ? status : { ...status, message } },
    attributes: { value: maskAttributes(span.attributes) },
    events: { value: span.events.map(maskEvent) },
    links: { value: span.links.map((link) => ({ ...link, attributes: link.attributes && maskAttributes(link.attributes) })) },
  }) as ReadableSpan;
}

/**
 * Masks personal data in every span before `next` exports it (see
 * {@link maskAttributes}): whatever an instrumentation recorded (an error
 * message with an address in it, a URL, a statement) leaves the process masked.
 */
export class MaskingSpanExporter implements SpanExporter {
  constructor(private readonly next: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.next.export(spans.map(maskSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush?.() ?? Promise.resolve();
  }
}
