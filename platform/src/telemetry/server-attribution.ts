import type { Context } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SERVER_ATTRIBUTE } from './tracing';

// One process may run several servers (the embedded `npm start`, the tests' stack): each
// request's spans say which one served it.

const names = new WeakMap<object, string>();

/** Names the Node HTTP server behind a Fastify app, so spans of its requests carry `meridian.server`. */
export function nameServer(httpServer: object, name: string): void {
  names.set(httpServer, name);
}

/** The name given to an HTTP server with {@link nameServer}. */
export function serverNameOf(httpServer: object | null | undefined): string | undefined {
  return httpServer ? names.get(httpServer) : undefined;
}

/**
 * Gives every span the `meridian.server` of its parent in this process: the
 * request spans get it from the server that accepted them (the HTTP and
 * Fastify instrumentations' hooks), and everything they start inherits it.
 */
export class ServerAttributionProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    if (span.attributes[SERVER_ATTRIBUTE] !== undefined) return;
    const parent = trace.getSpan(parentContext) as Partial<ReadableSpan> | undefined;
    const server = parent?.attributes?.[SERVER_ATTRIBUTE];
    if (server !== undefined) span.setAttribute(SERVER_ATTRIBUTE, server);
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
