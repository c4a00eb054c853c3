import pRetry from 'p-retry';

/** Options for {@link pollUntil}. */
export interface PollOptions {
  /** The pause between two looks, in ms. */
  everyMs: number;
  /** How long to keep looking, in ms from the first look; the last look is at about that time. */
  forMs: number;
}

/** A look that found nothing yet: the only failure p-retry is let to retry. */
class NotYet extends Error {}

/**
 * Waits for another request's work to land (a lock it holds, an answer it
 * writes): calls `look` every `everyMs` until it answers something other than
 * `undefined`, for at most `forMs`. Resolves with that answer, or `undefined`
 * when time ran out; an error thrown by `look` ends the wait with that error.
 */
export async function pollUntil<T>(look: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  try {
    return await pRetry(
      async () => {
        const found = await look();
        if (found === undefined) throw new NotYet();
        return found;
      },
      {
        retries: Number.POSITIVE_INFINITY,
        factor: 1,
        minTimeout: options.everyMs,
        maxTimeout: options.everyMs,
        maxRetryTime: options.forMs,
        shouldRetry: ({ error }) => error instanceof NotYet,
      },
    );
  } catch (err) {
    if (err instanceof NotYet) return undefined;
    throw err;
  }
}
