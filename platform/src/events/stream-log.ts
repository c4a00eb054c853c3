/** Fields of a stream entry: flat strings, as Redis Streams store them. */
export type EntryFields = Record<string, string>;

/** An entry handed to a consumer, with how often the group has delivered it. */
export interface StreamEntry {
  entryId: string;
  fields: EntryFields;
  /** Delivery count, 1 on the first read. */
  deliveries: number;
}

/** How far a consumer group is behind its stream. */
export interface GroupStats {
  /** Entries never delivered to the group (Redis's `lag`); null when Redis cannot tell (entries deleted by trimming). */
  lag: number | null;
  /** Entries delivered and not yet acknowledged (being handled, or failed and waiting for a retry). */
  pending: number;
  /** Entries parked in the stream's dead-letter stream (by every group). */
  deadLetters: number;
}

/** Reads new entries; a Redis reader holds a connection of its own because the read blocks. */
export interface StreamReader {
  /** Up to `count` entries never delivered to the group, waiting at most `blockMs` for one. */
  readNew(stream: string, group: string, consumer: string, count: number, blockMs: number): Promise<StreamEntry[]>;
  /** Ends a read in progress and releases the reader. */
  close(): Promise<void>;
}

/**
 * The storage an event bus runs on: the handful of Redis Streams operations it
 * needs. The memory and Redis adapters implement it; the consumer logic on top
 * (deduplication, retries, dead letters) is shared, so both behave alike.
 */
export interface StreamLog {
  readonly kind: 'memory' | 'redis';
  /** Appends an entry and returns its id. */
  append(stream: string, fields: EntryFields): Promise<string>;
  /** Creates a consumer group at the first retained entry or at the end; no-op when it exists. */
  createGroup(stream: string, group: string, startAt: 'beginning' | 'end'): Promise<void>;
  /** A reader whose reads block for at most `maxBlockMs`. */
  openReader(maxBlockMs: number): Promise<StreamReader>;
  /** Takes over up to `count` entries pending in the group for at least `minIdleMs`, counting a delivery each. */
  claimIdle(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<StreamEntry[]>;
  /** Resets the idle time of entries the consumer holds, without counting a delivery. */
  touch(stream: string, group: string, consumer: string, entryIds: string[]): Promise<void>;
  ack(stream: string, group: string, entryId: string): Promise<void>;
  /** Appends `fields` to the dead-letter stream and acknowledges the entry, atomically. */
  deadLetter(stream: string, group: string, entryId: string, fields: EntryFields): Promise<void>;
  /** The oldest `count` entries of a stream. */
  range(stream: string, count: number): Promise<{ entryId: string; fields: EntryFields }[]>;
  /** How far a group is behind (see {@link GroupStats}); null when the group does not exist. */
  groupStats(stream: string, group: string): Promise<GroupStats | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
