import { activeContext, linkTo, setAttributeIn, tracingEnabled, withSpan, type Context, type Link } from '@meridian/platform';

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
  /**
   * When traced, each batch runs in a span of this name (`meridian.batch.size`, the longest
   * `meridian.group_commit.wait_ms`): a child of its first item's span, linked to the others',
   * and each item's span gets its own wait.
   */
  span?: string;
}

/** One item's outcome, as the batch reports it. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<I, R> {
  item: I;
  /** performance.now() when it was submitted. */
  queuedAt: number;
  /** The submitter's context, when batches are traced. */
  context?: Context;
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

  const traced = () => options.span !== undefined && tracingEnabled();

  /** The batch in its span: a child of the first submitter's, linked to the others'. */
  function runTraced(batch: Waiting<I, R>[], waitedMs: number[]): Promise<Settled<R>[]> {
    batch.forEach((w, i) => setAttributeIn(w.context!, 'meridian.group_commit.wait_ms', waitedMs[i]));
    const links = batch.slice(1).flatMap((w): Link[] => {
      const link = linkTo(w.context!);
      return link ? [link] : [];
    });
    const attributes = { 'meridian.batch.size': batch.length, 'meridian.group_commit.wait_ms': Math.max(...waitedMs) };
    return withSpan(options.span!, attributes, () => run(batch.map((w) => w.item)), { parent: batch[0].context, links });
  }

  async function runBatch(batch: Waiting<I, R>[]): Promise<void> {
    const tracing = traced() && batch.every((w) => w.context !== undefined);
    let waitedMs: number[] = [];
    if (options.onBatchStart || tracing) {
      const now = performance.now();
      waitedMs = batch.map((w) => now - w.queuedAt);
      options.onBatchStart?.(waitedMs);
    }
    let outcomes: Settled<R>[];
    try {
      outcomes = await (tracing ? runTraced(batch, waitedMs) : run(batch.map((w) => w.item)));
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
      const context = traced() ? activeContext() : undefined;
      queue.push({ item, queuedAt: options.onBatchStart || context ? performance.now() : 0, context, resolve, reject });
      schedule();
    });
}
