import type { KeyValueStore } from '../kv';
import type { Logger } from '../logger';
import { deadLetterStream, type EventBus, type Subscription } from './event-bus';
import { decodeDeadLetter, encodeEvent } from './event-codec';
import { startConsumer } from './stream-consumer';
import type { StreamLog } from './stream-log';

/** What {@link createStreamEventBus} builds a bus from. */
export interface StreamEventBusParts {
  log: StreamLog;
  store: KeyValueStore;
  /** Close the store with the bus (when the bus opened it). */
  ownsStore: boolean;
  logger?: Logger;
}

/** An {@link EventBus} over a stream log: the semantics both adapters share. */
export function createStreamEventBus(parts: StreamEventBusParts): EventBus {
  const { log, store, logger } = parts;
  const subscriptions = new Set<Subscription>();
  let closed = false;

  return {
    kind: log.kind,
    async publish(stream, event) {
      return log.append(stream, encodeEvent(event));
    },
    async subscribe(stream, group, consumer, handler, options = {}) {
      if (closed) throw new Error('The event bus is closed.');
      const subscription = await startConsumer({ log, store, logger }, { stream, group, consumer, handler, options });
      subscriptions.add(subscription);
      return {
        stream,
        group,
        consumer,
        async close() {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },
    async deadLetters(stream, limit = 100) {
      const dlq = deadLetterStream(stream);
      const entries = await log.range(dlq, limit);
      return entries.map((entry) => decodeDeadLetter(dlq, entry.entryId, entry.fields));
    },
    groupStats: (stream, group) => log.groupStats(stream, group),
    ping: () => log.ping(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      subscriptions.clear();
      await log.close();
      if (parts.ownsStore) await store.close();
    },
  };
}
