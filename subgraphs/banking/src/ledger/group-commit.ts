/** Options for {@link createGroupCommit}. */
export interface GroupCommitOptions<I = unknown> {
  /** Most items one batch takes. */
  maxBatchSize: number;
  /** Batches running at once. */
  maxConcurrentBatches: number;
  /**
   * Items waiting together are shared out among the free slots, so one batch
   * can be prepared while another writes, but never into batches lighter
   * than this (by `weigh`): below it, the cost every batch pays (a commit)
   * outweighs the overlap. Default 0: always share out.
   */
  minSharedWeight?: number;
  /** An item's weight for `minSharedWeight`. Default 1. */
  weigh?: (item: I) => number;
  /** Told as each batch starts how long each of its items waited in the queue, in ms (the batch's size is their number). */
  onBatchStart?: (waitedMs: number[]) => void;
}

/** One item's outcome, as the batch reports it. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<I, R> {
  item: I;
  /** performance.now() when it was submitted. */
  queuedAt: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a batch runs are queued and run together
 * as the next batch, so the per-transaction costs (round trips, the commit's WAL
 * flush, a shared lock) are paid once per batch instead of once per item. There
 * is no timer: an item that finds a free slot starts at once (after the current
 * turn of the event loop, so items submitted together, and the callers a batch
 * has just answered, go together), and a lone caller waits no longer than
 * without batching. `run` returns one outcome per item, in order;
 * if it throws, every item of that batch fails with its error.
 */
export function createGroupCommit<I, R>(run: (items: I[]) => Promise<Settled<R>[]>, options: GroupCommitOptions<I>): (item: I) => Promise<R> {
  if (!(options.maxBatchSize >= 1) || !(options.maxConcurrentBatches >= 1)) throw new Error('maxBatchSize and maxConcurrentBatches are at least 1');
  const queue: Waiting<I, R>[] = [];
  let running = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  }

  function pump(): void {
    while (running < options.maxConcurrentBatches && queue.length > 0) {
      const free = options.maxConcurrentBatches - running;
      const weight = options.weigh ? queue.reduce((sum, w) => sum + options.weigh!(w.item), 0) : queue.length;
      const parts = Math.max(1, Math.min(free, Math.floor(weight / (options.minSharedWeight || 1))));
      const batch = queue.splice(0, Math.min(options.maxBatchSize, Math.ceil(queue.length / parts)));
      running += 1;
      void runBatch(batch).finally(() => {
        running -= 1;
        pump();
      });
    }
  }

  async function runBatch(batch: Waiting<I, R>[]): Promise<void> {
    if (options.onBatchStart) {
      const now = performance.now();
      options.onBatchStart(batch.map((w) => now - w.queuedAt));
    }
    let outcomes: Settled<R>[];
    try {
      outcomes = await run(batch.map((w) => w.item));
      if (outcomes.length !== batch.length) throw new Error(`A batch of ${batch.length} returned ${outcomes.length} outcomes.`);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }

  return (item: I) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, queuedAt: options.onBatchStart ? performance.now() : 0, resolve, reject });
      schedule();
    });
}
