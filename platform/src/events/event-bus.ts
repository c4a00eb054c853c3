import type { GroupStats } from './stream-log';

/** An event as producers publish it. */
export interface BusEvent {
  /** Unique id of the event (for ledger events, the outbox row id): consumers deduplicate by it. */
  id: string;
  /** What happened, e.g. `ledger.transfer.posted`. */
  type: string;
  /** JSON-serialisable content. */
  payload: Record<string, unknown>;
  occurredAt: Date;
  /**
   * The W3C `traceparent` of the span that caused the event (the request that wrote it
   * to the outbox): its consumers' spans link back to it. Set by `publish` when absent and a span is active.
   */
  traceparent?: string;
}

/** Why and where an event was parked, on events read back from a dead-letter stream. */
export interface DeadLetterInfo {
  /** The stream the event failed on. */
  stream: string;
  group: string;
  consumer: string;
  /** Its entry id in that stream. */
  entryId: string;
  /** Deliveries made before it was parked. */
  attempts: number;
  /** The last handler error's message. */
  error: string;
  parkedAt: Date;
}

/** An event as a handler receives it. */
export interface DeliveredEvent extends BusEvent {
  stream: string;
  /** The stream entry id (the same event id may sit in two entries when a producer retried). */
  entryId: string;
  /** Delivery number of this entry to the group, 1 the first time. */
  attempt: number;
  /** Set on entries of a dead-letter stream. */
  deadLetter?: DeadLetterInfo;
}

/** Handles one event; a rejection means "not handled", and the event is delivered again. */
export type EventHandler = (event: DeliveredEvent) => Promise<void>;

/** Options for {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** Deliveries an entry gets before it is parked in `<stream>.dlq`. Default 5. */
  maxAttempts?: number;
  /**
   * How long a failed entry, or one held by a consumer that stopped, waits before it is
   * delivered again, in ms. A live consumer keeps its in-flight entries from being taken
   * by renewing them every third of this. Default 5 s.
   */
  retryDelayMs?: number;
  /** Entries read at a time. Default 10. */
  batchSize?: number;
  /** Longest a read waits for new entries, in ms; bounds how long `close()` takes. Default 1 s. */
  blockMs?: number;
  /** How long an event id is remembered as handled by the group, in ms. Default 7 days. */
  processedTtlMs?: number;
  /**
   * Where the group starts when it is created: `beginning` delivers every entry still in
   * the stream, `end` only entries added later. Ignored when the group exists. Default `beginning`.
   */
  startAt?: 'beginning' | 'end';
}

/** A running consumer. */
export interface Subscription {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  /** Stops reading, lets the handler in flight finish, and resolves when the consumer has stopped. */
  close(): Promise<void>;
}

/**
 * The event bus port: append-only streams read by consumer groups. Each group
 * gets every event; the consumers of one group share them. Delivery is at least
 * once; a handler runs at most once per event id and group while the id is
 * remembered (see {@link SubscribeOptions.processedTtlMs}), and an event that keeps
 * failing is parked in the dead-letter stream `<stream>.dlq`.
 */
export interface EventBus {
  readonly kind: 'memory' | 'redis';
  /** Appends an event to a stream (created on first use); returns its entry id. */
  publish(stream: string, event: BusEvent): Promise<string>;
  /**
   * Creates the group if needed, then consumes in the background until closed.
   * Resolves once the group exists, so events published afterwards reach it.
   */
  subscribe(stream: string, group: string, consumer: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** The oldest entries parked for `stream`, for inspection and replay tools. */
  deadLetters(stream: string, limit?: number): Promise<DeliveredEvent[]>;
  /** How far `group` is behind on `stream` (lag, pending, parked); null when the group does not exist. */
  groupStats(stream: string, group: string): Promise<GroupStats | null>;
  /** Resolves when the bus answers; rejects otherwise. */
  ping(): Promise<void>;
  /** Stops every subscription, then releases connections. */
  close(): Promise<void>;
}

/** The dead-letter stream of a stream. */
export function deadLetterStream(stream: string): string {
  return `${stream}.dlq`;
}
