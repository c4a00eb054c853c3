import type { KeyValueStore } from '../kv';
import type { Logger } from '../logger';
import { currentTraceparent } from '../telemetry';
import { deadLetterStream, type EventBus, type Subscription } from './event-bus';
import { decodeDeadLetter, encodeEvent } from './event-codec';
import { startConsumer } from './stream-consumer';
import type { GroupStats, StreamLog } from './stream-log';

/** What {@link createStreamEventBus} builds a bus from. */
export interface StreamEventBusParts {
  log: StreamLog;
  store: KeyValueStore;
  /** Close the store with the bus (when the bus opened it). */
  ownsStore: boolean;
  /**
   * The same streams under the keys they had before (Redis: without a hash tag). A subscription
   * whose group exists there consumes it too, with the same handler and deduplication, so events
   * published there by a release before are handled; dead letters and group stats count both.
   */
  formerLog?: StreamLog;
  logger?: Logger;
}

/** Adds the counts of a group's former stream to its current ones. */
function addStats(current: GroupStats | null, former: GroupStats | null): GroupStats | null {
  if (!former) return current;
  if (!current) return former;
  const lag = current.lag === null || former.lag === null ? null : current.lag + former.lag;
  return { lag, pending: current.pending + former.pending, deadLetters: current.deadLetters + former.deadLetters };
}

/** An {@link EventBus} over a stream log: the semantics both adapters share. */
export function createStreamEventBus(parts: StreamEventBusParts): EventBus {
  const { log, formerLog, store, logger } = parts;
  const subscriptions = new Set<Subscription>();
  let closed = false;

  return {
    kind: log.kind,
    async publish(stream, event) {
      const traceparent = event.traceparent ?? currentTraceparent();
      return log.append(stream, encodeEvent(traceparent ? { ...event, traceparent } : event));
    },
    async subscribe(stream, group, consumer, handler, options = {}) {
      if (closed) throw new Error('The event bus is closed.');
      const spec = { stream, group, consumer, handler, options };
      const current = await startConsumer({ log, store, logger }, spec);
      let former: Subscription | undefined;
      try {
        if (formerLog && (await formerLog.groupStats(stream, group))) former = await startConsumer({ log: formerLog, store, logger }, spec);
      } catch (err) {
        await current.close();
        throw err;
      }
      const subscription: Subscription = {
        stream,
        group,
        consumer,
        async close() {
          subscriptions.delete(subscription);
          await Promise.all([current.close(), former?.close()]);
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },
    async deadLetters(stream, limit = 100) {
      const dlq = deadLetterStream(stream);
      // The former stream's dead letters are the older ones.
      const entries = [...(formerLog ? await formerLog.range(dlq, limit) : []), ...(await log.range(dlq, limit))].slice(0, limit);
      return entries.map((entry) => decodeDeadLetter(dlq, entry.entryId, entry.fields));
    },
    async groupStats(stream, group) {
      const [current, former] = await Promise.all([log.groupStats(stream, group), formerLog?.groupStats(stream, group) ?? null]);
      return addStats(current, former);
    },
    ping: () => log.ping(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      subscriptions.clear();
      await log.close();
      await formerLog?.close();
      if (parts.ownsStore) await store.close();
    },
  };
}
