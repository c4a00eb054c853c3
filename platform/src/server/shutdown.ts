import type { Logger } from '../logger';

/** Something that must be stopped when the process ends. */
export type Closer = () => Promise<void>;

/**
 * Stops everything once on SIGTERM or SIGINT (or the given `signals`), in order,
 * then exits; a second signal or a stuck closer forces the exit after `graceMs`.
 */
export function closeOnSignals(logger: Logger, closers: Closer[], graceMs = 10_000, signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), graceMs);
    force.unref();
    for (const close of closers) {
      try {
        await close();
      } catch (err) {
        logger.error({ err }, 'error while shutting down');
      }
    }
    process.exit(0);
  };
  for (const signal of signals) process.once(signal, () => void stop(signal));
}
