import { createRedisKeyValueStore, type KeyValueStore } from '../kv';
import { connectRedis, type RedisConnectionOptions } from '../kv/redis-connection';
import type { Logger } from '../logger';
import { deadLetterStream, type EventBus } from './event-bus';
import { createStreamEventBus } from './stream-event-bus';
import type { EntryFields, StreamEntry, StreamLog, StreamReader } from './stream-log';

/** Options for {@link createRedisEventBus}. */
export interface RedisEventBusOptions extends RedisConnectionOptions {
  /** Where handled event ids are remembered; default a Redis key-value store under the same prefix. */
  store?: KeyValueStore;
  /** Entries kept per stream, trimmed approximately (MAXLEN ~) on every publish. Default 100,000. */
  maxStreamLength?: number;
  logger?: Logger;
}

type Connection = Awaited<ReturnType<typeof connectRedis>>;

const DEAD_LETTER_SUFFIX = deadLetterStream('');

/**
 * The Redis key of a stream, `<prefix>{<stream>}`, and of its dead letters, `<prefix>{<stream>}.dlq`.
 * The braces are a Redis Cluster hash tag: a stream and its dead-letter stream hash to one slot,
 * so parking an entry (XADD to one and XACK on the other, in one MULTI) runs on a cluster too.
 */
export function streamKey(prefix: string, stream: string): string {
  if (/[{}]/.test(prefix + stream)) throw new Error(`A stream name and its key prefix may not contain braces: ${prefix}${stream}`);
  const base = stream.endsWith(DEAD_LETTER_SUFFIX) ? stream.slice(0, -DEAD_LETTER_SUFFIX.length) : stream;
  return `${prefix}{${base}}${stream.slice(base.length)}`;
}

/** The key a stream had before it carried a hash tag: `<prefix><stream>`. */
export function formerStreamKey(prefix: string, stream: string): string {
  return prefix + stream;
}

/**
 * Redis Streams adapter. Every command has a deadline and nothing queues while
 * disconnected, so an outage means fast errors: `publish` rejects, and consumers
 * back off and resume when Redis is back. Each subscription reads on a
 * connection of its own, since XREADGROUP BLOCK holds the connection it runs on.
 */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<EventBus> {
  const connection = await connectRedis(options);
  let store: KeyValueStore;
  try {
    store =
      options.store ??
      (await createRedisKeyValueStore({
        url: options.url,
        keyPrefix: options.keyPrefix,
        commandTimeoutMs: options.commandTimeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
      }));
  } catch (err) {
    connection.client.destroy();
    throw err;
  }
  const prefix = options.keyPrefix ?? '';
  return createStreamEventBus({
    log: createRedisStreamLog(connection, options, (stream) => streamKey(prefix, stream)),
    // Entries a release before published under the former keys are still consumed (see StreamEventBusParts.formerLog).
    formerLog: createRedisStreamLog(connection, options, (stream) => formerStreamKey(prefix, stream)),
    store,
    ownsStore: !options.store,
    logger: options.logger,
  });
}

function createRedisStreamLog({ client, run }: Connection, options: RedisEventBusOptions, k: (stream: string) => string): StreamLog {
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;
  const trim = { strategy: 'MAXLEN' as const, strategyModifier: '~' as const, threshold: options.maxStreamLength ?? 100_000 };
  // Where each consumer's next XAUTOCLAIM scan starts, so a long pending list is walked through, not rescanned from its head.
  const claimCursors = new Map<string, string>();

  return {
    kind: 'redis',
    async append(stream, fields) {
      return run(client.xAdd(k(stream), '*', fields, { TRIM: trim }));
    },
    async createGroup(stream, group, startAt) {
      try {
        await run(client.xGroupCreate(k(stream), group, startAt === 'end' ? '$' : '0', { MKSTREAM: true }));
      } catch (err) {
        if (!/BUSYGROUP/.test(String((err as Error).message))) throw err;
      }
    },
    async openReader(maxBlockMs): Promise<StreamReader> {
      // The blocking read's deadline is the block time plus the usual command timeout.
      const reader = await connectRedis({ ...options, commandTimeoutMs: maxBlockMs + commandTimeoutMs });
      return {
        async readNew(stream, group, consumer, count, blockMs) {
          // BLOCK 0 would wait forever: without a block time the read returns at once.
          const reply = await reader.run(
            reader.client.xReadGroup(group, consumer, { key: k(stream), id: '>' }, blockMs > 0 ? { COUNT: count, BLOCK: blockMs } : { COUNT: count }),
          );
          if (!reply) return [];
          const streams = reply as unknown as { messages: { id: string; message: EntryFields }[] }[];
          return streams.flatMap((s) => s.messages.map((m) => ({ entryId: m.id, fields: { ...m.message }, deliveries: 1 })));
        },
        async close() {
          if (reader.client.isOpen) reader.client.destroy();
        },
      };
    },
    async claimIdle(stream, group, consumer, minIdleMs, count) {
      const cursorKey = `${stream}\n${group}\n${consumer}`;
      const reply = await run(client.xAutoClaim(k(stream), group, consumer, minIdleMs, claimCursors.get(cursorKey) ?? '0-0', { COUNT: count }));
      claimCursors.set(cursorKey, reply.nextId);
      const messages = reply.messages.filter((m): m is { id: string; message: EntryFields } => m !== null);
      // XAUTOCLAIM does not say how often an entry was delivered; its pending-list entry does.
      const counts = await Promise.all(messages.map((m) => run(client.xPendingRange(k(stream), group, m.id, m.id, 1))));
      const claimed: StreamEntry[] = [];
      messages.forEach((m, i) => {
        const pending = counts[i][0];
        if (pending) claimed.push({ entryId: m.id, fields: { ...m.message }, deliveries: Number(pending.deliveriesCounter) });
      });
      return claimed;
    },
    async touch(stream, group, consumer, entryIds) {
      // XCLAIM with JUSTID resets the idle time without counting a delivery.
      if (entryIds.length > 0) await run(client.xClaimJustId(k(stream), group, consumer, 0, entryIds));
    },
    async ack(stream, group, entryId) {
      await run(client.xAck(k(stream), group, entryId));
    },
    async deadLetter(stream, group, entryId, fields) {
      await run(client.multi().xAdd(k(deadLetterStream(stream)), '*', fields, { TRIM: trim }).xAck(k(stream), group, entryId).exec());
    },
    async range(stream, count) {
      const entries = await run(client.xRange(k(stream), '-', '+', { COUNT: count }));
      return (entries ?? []).map((e) => ({ entryId: e.id, fields: { ...(e.message as EntryFields) } }));
    },
    async groupStats(stream, group) {
      const [groups, deadLetters] = await Promise.all([
        run(client.xInfoGroups(k(stream))).catch((err: unknown) => {
          // XINFO on a stream that does not exist yet.
          if (err instanceof Error && /no such key/i.test(err.message)) return [];
          throw err;
        }),
        run(client.xLen(k(deadLetterStream(stream)))),
      ]);
      const found = (groups as { name: string; pending: number; lag?: number | null }[]).find((g) => g.name === group);
      if (!found) return null;
      return { lag: typeof found.lag === 'number' ? found.lag : null, pending: Number(found.pending), deadLetters: Number(deadLetters) };
    },
    async ping() {
      await run(client.ping());
    },
    async close() {
      if (client.isOpen) client.destroy();
    },
  };
}
