import type { Logger } from '@meridian/platform';
import pino from 'pino';

/** A logger that keeps its JSON lines in memory, so tests can see what was logged (and what was not sent). */
export interface CapturingLogger {
  logger: Logger;
  lines: Record<string, unknown>[];
  /** Every line as one string, for "does the log hold X" checks. */
  text(): string;
}

/** Creates a {@link CapturingLogger} at `level` (default `warn`). */
export function createCapturingLogger(level = 'warn'): CapturingLogger {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines, text: () => lines.map((line) => JSON.stringify(line)).join('\n') };
}
