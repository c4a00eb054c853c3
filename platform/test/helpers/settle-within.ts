/** How a promise ended, or that it had not ended by the deadline. */
export type Settlement<T> =
  | { status: 'resolved'; value: T; elapsedMs: number }
  | { status: 'rejected'; error: unknown; elapsedMs: number }
  | { status: 'pending'; elapsedMs: number };

/**
 * Waits for `promise` at most `limitMs`. A test asserts on the status, so a hang
 * fails with a readable message instead of the Jest timeout, and the limit can be
 * generous: it bounds hangs, it does not measure speed.
 */
export async function settleWithin<T>(promise: Promise<T>, limitMs: number): Promise<Settlement<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), limitMs);
  });
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ status: 'resolved' as const, value }),
        (error: unknown) => ({ status: 'rejected' as const, error }),
      ),
      deadline,
    ]);
    const elapsedMs = performance.now() - started;
    return outcome === 'pending' ? { status: 'pending', elapsedMs } : { ...outcome, elapsedMs };
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
