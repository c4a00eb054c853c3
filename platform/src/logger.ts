import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskPersonalData } from './telemetry/personal-data';
import { activeTraceIds } from './telemetry/tracing';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerSettings {
  /** Service name on every line. */
  service: string;
  /** pino level; default `info`. */
  level?: string;
  /** Human-readable output; default: when stdout is a TTY. */
  pretty?: boolean;
}

const redact = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'req.headers["x-service-token"]',
    '*.password',
    '*.accessToken',
    '*.refreshToken',
    'password',
    // Personal data by name, wherever a caller put it; by shape, see maskLine.
    ...['email', 'displayName', 'phone', 'pan', 'cardNumber', 'accountNumber', 'iban', 'variables'].flatMap((key) => [key, `*.${key}`]),
  ],
  censor: '[redacted]',
};

/** A JSON string token of a log line (quotes included). */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * The line as written: every string in it with email addresses and long digit
 * runs masked ({@link maskPersonalData}), numbers (the time) untouched.
 */
function maskLine(line: string): string {
  return line.replace(JSON_STRING, maskPersonalData);
}

/** The active span's ids on every line logged inside it: a line leads to its trace. */
function traceIds(): Record<string, string> {
  return activeTraceIds() ?? {};
}

// One root per process and output style: the embedded mode runs every server in one process.
const roots = new Map<string, Logger>();

let destination: DestinationStream | undefined;

/**
 * Sends the lines of every logger created afterwards to `stream` instead of
 * stdout (a test reads what was logged); returns a function that undoes it.
 */
export function useLogDestination(stream: DestinationStream): () => void {
  destination = stream;
  roots.clear();
  return () => {
    if (destination === stream) destination = undefined;
    roots.clear();
  };
}

/**
 * pino-pretty in this thread, loaded only for a terminal. As a pino transport it would run in
 * a worker thread, a second V8 isolate of some 30 MB; a terminal's log never needs that.
 */
function prettyStream() {
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ colorize: true, sync: true });
}

/**
 * A JSON pino logger (pretty in a TTY) tagged with the service name: secrets
 * and personal data redacted or masked, and inside a span its `trace_id` and `span_id`.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  const level = settings.level ?? 'info';
  const key = `${pretty}:${level}`;
  let root = roots.get(key);
  if (!root) {
    const options: LoggerOptions = { level, base: { pid: process.pid }, redact, mixin: traceIds, hooks: { streamWrite: maskLine } };
    root = destination ? pino(options, destination) : pretty ? pino(options, prettyStream()) : pino(options);
    roots.set(key, root);
  }
  return root.child({ service: settings.service });
}
