import pino, { type Logger, type LoggerOptions } from 'pino';

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
  ],
  censor: '[redacted]',
};

// One root per process and output style: the embedded mode runs every server in one process.
const roots = new Map<string, Logger>();

/**
 * pino-pretty in this thread, loaded only for a terminal. As a pino transport it would run in
 * a worker thread, a second V8 isolate of some 30 MB; a terminal's log never needs that.
 */
function prettyStream() {
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ colorize: true, sync: true });
}

/** A JSON pino logger (pretty in a TTY) with secrets redacted, tagged with the service name. */
export function createLogger(settings: LoggerSettings): Logger {
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  const level = settings.level ?? 'info';
  const key = `${pretty}:${level}`;
  let root = roots.get(key);
  if (!root) {
    const options: LoggerOptions = { level, base: { pid: process.pid }, redact };
    root = pretty ? pino(options, prettyStream()) : pino(options);
    roots.set(key, root);
  }
  return root.child({ service: settings.service });
}
