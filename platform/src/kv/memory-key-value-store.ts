import type { KeyValueStore, WindowCount } from './key-value-store';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** Options for {@link createMemoryKeyValueStore}. */
export interface MemoryKeyValueStoreOptions {
  /** Clock, for tests; default Date.now. */
  now?: () => number;
  /** How often expired keys are swept, in ms; default 60 s. */
  sweepIntervalMs?: number;
}

/** In-process adapter for the embedded mode and tests; same semantics as the Redis one. */
export function createMemoryKeyValueStore(options: MemoryKeyValueStoreOptions = {}): KeyValueStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // A plain interval rather than a periodic worker: the sweep is synchronous, so it can neither fail nor overlap itself.
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, entry] of entries) if (entry.expiresAt !== null && entry.expiresAt <= t) entries.delete(key);
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const expiry = (ttlMs?: number) => (ttlMs === undefined ? null : now() + ttlMs);

  return {
    kind: 'memory',
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: expiry(ttlMs) });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAt: expiry(ttlMs) });
      return true;
    },
    async delete(key) {
      const existed = live(key) !== undefined;
      entries.delete(key);
      return existed;
    },
    async incrementWindow(key, windowMs): Promise<WindowCount> {
      const entry = live(key);
      if (!entry) {
        entries.set(key, { value: '1', expiresAt: now() + windowMs });
        return { count: 1, resetInMs: windowMs };
      }
      const count = Number(entry.value) + 1;
      // Same failure as Redis' INCR on a value that is not an integer.
      if (!Number.isSafeInteger(count)) throw new Error('ERR value is not an integer or out of range');
      entry.value = String(count);
      // As in Redis: a counter written without a TTL gets the window, so it cannot count forever.
      entry.expiresAt ??= now() + windowMs;
      return { count, resetInMs: Math.max(0, (entry.expiresAt ?? now()) - now()) };
    },
    async expire(key, ttlMs) {
      const entry = live(key);
      if (!entry) return false;
      entry.expiresAt = now() + ttlMs;
      return true;
    },
    async ttl(key) {
      const entry = live(key);
      return entry?.expiresAt != null ? entry.expiresAt - now() : null;
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
