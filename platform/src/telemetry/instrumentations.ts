import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { SERVER_ATTRIBUTE } from './tracing';
import { serverNameOf } from './server-attribution';

/** Probes and scrapes: answered every few seconds, never worth a trace. */
const UNTRACED_PATHS = /^\/(?:health\/|metrics(?:$|\?))/;

/** Commands whose first arguments are a script (or its digest) and the number of keys. */
const SCRIPTED = /^(?:EVAL|EVALSHA|FCALL)(?:_RO)?$/i;

/** Only a command and its (first) key: values (cached responses, codes) and scripts stay out of spans. */
export function redisStatement(command: string, args: (string | Buffer)[]): string {
  const scripted = SCRIPTED.test(command);
  const key = scripted ? (Number(args[1]) > 0 ? args[2] : undefined) : args[0];
  const shown = key === undefined ? 0 : scripted ? 3 : 1;
  const rest = args.length - shown;
  return `${command}${key === undefined ? '' : ` ${String(key)}`}${rest > 0 ? ` [${rest} more]` : ''}`;
}

/**
 * The instrumentations Meridian runs, each with settings that keep personal
 * data and noise out: HTTP (the servers' requests, continuing the caller's
 * `traceparent`, health and metrics left out), undici (subgraph and service
 * calls, which carry the trace on), Fastify (routes and hooks), pg (statements
 * without their values, only inside a trace), node-redis (command and key only,
 * inside a trace) and GraphQL (parse, validate, execute and the resolvers that
 * do work; literal values starred). Required here, when tracing starts: a
 * process without it never loads them.
 */
export function createInstrumentations(): Instrumentation[] {
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof import('@fastify/otel');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { RedisInstrumentation } = require('@opentelemetry/instrumentation-redis') as typeof import('@opentelemetry/instrumentation-redis');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
      startIncomingSpanHook: (request: IncomingMessage) => {
        const server = serverNameOf((request.socket as { server?: object }).server);
        return server ? { [SERVER_ATTRIBUTE]: server } : {};
      },
      requireParentforOutgoingSpans: true,
    }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: ({ url }) => UNTRACED_PATHS.test(url),
      requestHook: (span, request) => {
        const server = serverNameOf(request.server.server);
        if (server) span.setAttribute(SERVER_ATTRIBUTE, server);
      },
    }),
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    new RedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisStatement }),
    new GraphQLInstrumentation({ allowValues: false, ignoreTrivialResolveSpans: true, mergeItems: true, depth: 2 }),
  ];
}
