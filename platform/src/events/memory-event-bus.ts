import { createMemoryKeyValueStore, type KeyValueStore } from '../kv';
import type { Logger } from '../logger';
import { deadLetterStream, type EventBus } from './event-bus';
import type { EntryFields, StreamEntry, StreamLog, StreamReader } from './stream-log';
import { createStreamEventBus } from './stream-event-bus';

/** Options for {@link createMemoryEventBus}. */
export interface MemoryEventBusOptions {
  /** Where handled event ids are remembered; default a memory store of the bus's own. */
  store?: KeyValueStore;
  /** Entries kept per stream; older ones are dropped, like Redis' MAXLEN. Default 100,000. */
  maxStreamLength?: number;
  logger?: Logger;
}

interface Entry {
  entryId: string;
  seq: number;
  fields: EntryFields;
}

interface Pending {
  seq: number;
  consumer: string;
  deliveries: number;
  deliveredAt: number;
}

interface Group {
  /** Sequence number of the next entry to hand out. */
  next: number;
  pending: Map<string, Pending>;
}

interface Stream {
  entries: Entry[];
  /** Sequence number of entries[0]. */
  base: number;
  lastMs: number;
  lastCounter: number;
  byId: Map<string, Entry>;
  groups: Map<string, Group>;
  waiters: Set<() => void>;
}

/** The in-process event bus of the embedded mode: Redis Streams' consumer-group semantics in memory. */
export function createMemoryEventBus(options: MemoryEventBusOptions = {}): EventBus {
  const store = options.store ?? createMemoryKeyValueStore();
  return createStreamEventBus({
    log: createMemoryStreamLog(options.maxStreamLength ?? 100_000),
    store,
    ownsStore: !options.store,
    logger: options.logger,
  });
}

/** Streams, groups and pending-entry lists as Redis keeps them, for one process. */
function createMemoryStreamLog(maxStreamLength: number): StreamLog {
  const streams = new Map<string, Stream>();
  let closed = false;

  const open = (name: string): Stream => {
    let stream = streams.get(name);
    if (!stream) {
      stream = { entries: [], base: 0, lastMs: 0, lastCounter: 0, byId: new Map(), groups: new Map(), waiters: new Set() };
      streams.set(name, stream);
    }
    return stream;
  };
  const groupOf = (name: string, group: string): { stream: Stream; group: Group } => {
    const stream = streams.get(name);
    const g = stream?.groups.get(group);
    if (!stream || !g) throw new Error(`NOGROUP No such key '${name}' or consumer group '${group}'`);
    return { stream, group: g };
  };
  const assertOpen = () => {
    if (closed) throw new Error('The event bus is closed.');
  };

  function append(name: string, fields: EntryFields): string {
    assertOpen();
    const stream = open(name);
    const now = Date.now();
    // Ids like Redis': <ms>-<counter>, strictly increasing even when the clock is not.
    if (now > stream.lastMs) {
      stream.lastMs = now;
      stream.lastCounter = 0;
    } else stream.lastCounter += 1;
    const entry: Entry = { entryId: `${stream.lastMs}-${stream.lastCounter}`, seq: stream.base + stream.entries.length, fields: { ...fields } };
    stream.entries.push(entry);
    stream.byId.set(entry.entryId, entry);
    while (stream.entries.length > maxStreamLength) {
      stream.byId.delete(stream.entries.shift()!.entryId);
      stream.base += 1;
    }
    for (const wake of stream.waiters) wake();
    stream.waiters.clear();
    return entry.entryId;
  }

  function ack(name: string, group: string, entryId: string): void {
    streams.get(name)?.groups.get(group)?.pending.delete(entryId);
  }

  function openReader(): StreamReader {
    let readerClosed = false;
    const wakers = new Set<() => void>();
    const take = (name: string, groupName: string, consumer: string, count: number): StreamEntry[] => {
      if (readerClosed) throw new Error('The reader is closed.');
      assertOpen();
      const { stream, group } = groupOf(name, groupName);
      group.next = Math.max(group.next, stream.base);
      const batch = stream.entries.slice(group.next - stream.base, group.next - stream.base + count);
      const now = Date.now();
      for (const entry of batch) group.pending.set(entry.entryId, { seq: entry.seq, consumer, deliveries: 1, deliveredAt: now });
      group.next += batch.length;
      return batch.map((e) => ({ entryId: e.entryId, fields: { ...e.fields }, deliveries: 1 }));
    };
    return {
      async readNew(name, group, consumer, count, blockMs) {
        const first = take(name, group, consumer, count);
        if (first.length > 0 || blockMs <= 0) return first;
        await new Promise<void>((resolve) => {
          const stream = open(name);
          const done = () => {
            clearTimeout(timer);
            stream.waiters.delete(done);
            wakers.delete(done);
            resolve();
          };
          const timer = setTimeout(done, blockMs);
          stream.waiters.add(done);
          wakers.add(done);
        });
        return take(name, group, consumer, count);
      },
      async close() {
        readerClosed = true;
        for (const wake of wakers) wake();
      },
    };
  }

  return {
    kind: 'memory',
    async append(name, fields) {
      return append(name, fields);
    },
    async createGroup(name, group, startAt) {
      assertOpen();
      const stream = open(name);
      if (stream.groups.has(group)) return;
      stream.groups.set(group, { next: startAt === 'end' ? stream.base + stream.entries.length : stream.base, pending: new Map() });
    },
    async openReader() {
      return openReader();
    },
    async claimIdle(name, groupName, consumer, minIdleMs, count) {
      assertOpen();
      const { stream, group } = groupOf(name, groupName);
      const now = Date.now();
      const claimed: StreamEntry[] = [];
      const candidates = [...group.pending.entries()].sort((a, b) => a[1].seq - b[1].seq);
      for (const [entryId, pending] of candidates) {
        if (claimed.length >= count) break;
        if (now - pending.deliveredAt < minIdleMs) continue;
        const entry = stream.byId.get(entryId);
        // Trimmed away while pending: Redis drops it from the pending list too.
        if (!entry) {
          group.pending.delete(entryId);
          continue;
        }
        pending.consumer = consumer;
        pending.deliveries += 1;
        pending.deliveredAt = now;
        claimed.push({ entryId, fields: { ...entry.fields }, deliveries: pending.deliveries });
      }
      return claimed;
    },
    async touch(name, groupName, consumer, entryIds) {
      assertOpen();
      const group = streams.get(name)?.groups.get(groupName);
      for (const entryId of entryIds) {
        const pending = group?.pending.get(entryId);
        if (pending) {
          pending.consumer = consumer;
          pending.deliveredAt = Date.now();
        }
      }
    },
    async ack(name, group, entryId) {
      assertOpen();
      ack(name, group, entryId);
    },
    async deadLetter(name, group, entryId, fields) {
      assertOpen();
      append(deadLetterStream(name), fields);
      ack(name, group, entryId);
    },
    async range(name, count) {
      assertOpen();
      return (streams.get(name)?.entries ?? []).slice(0, count).map((e) => ({ entryId: e.entryId, fields: { ...e.fields } }));
    },
    async groupStats(name, groupName) {
      assertOpen();
      const stream = streams.get(name);
      const group = stream?.groups.get(groupName);
      if (!stream || !group) return null;
      return { lag: stream.base + stream.entries.length - group.next, pending: group.pending.size, deadLetters: streams.get(deadLetterStream(name))?.entries.length ?? 0 };
    },
    async ping() {
      assertOpen();
    },
    async close() {
      closed = true;
      for (const stream of streams.values()) for (const wake of stream.waiters) wake();
      streams.clear();
    },
  };
}
