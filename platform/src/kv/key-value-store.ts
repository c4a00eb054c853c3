/** Result of a fixed-window counter increment. */
export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

/**
 * The key-value port behind sessions, rate limits and short-lived state.
 * Every method is atomic on its own; values are strings and keys expire by TTL.
 */
export interface KeyValueStore {
  /** Which adapter this is, for health output and logs. */
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** Sets a value, with an optional time to live in ms. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when the key is absent; true when it was set. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes a key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Atomically counts a hit in a fixed window that starts at the first hit. */
  incrementWindow(key: string, windowMs: number): Promise<WindowCount>;
  /** Gives an existing key a new time to live, keeping its value; false when the key is absent. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /** Milliseconds left to live; null when the key is absent or has no TTL. */
  ttl(key: string): Promise<number | null>;
  /** Resolves when the store answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
