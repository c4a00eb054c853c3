import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { createMemoryKeyValueStore, createRedisKeyValueStore, type KeyValueStore } from '@meridian/platform';
import { closedLocalPort, startTcpProxy } from '../helpers/network';
import { settleWithin, sleep, type Settlement } from '../helpers/settle-within';

/** A store under test plus a way to let time pass for it. */
interface Harness {
  store: KeyValueStore;
  /** Lets `ms` pass as the store sees it: a fake clock for memory, real time for Redis. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL;
// Real-time waits add this to a TTL so "expired" never depends on timer precision.
const MARGIN_MS = 100;

async function memoryHarness(): Promise<Harness> {
  let clock = 1_700_000_000_000;
  const store = createMemoryKeyValueStore({ now: () => clock });
  return {
    store,
    advance: async (ms) => {
      clock += ms;
    },
    close: () => store.close(),
  };
}

async function redisHarness(url: string): Promise<Harness> {
  const keyPrefix = `test:kv-contract:${randomBytes(6).toString('hex')}:`;
  // A generous timeout here: these tests check semantics, not outage handling (that is below).
  const store = await createRedisKeyValueStore({ url, keyPrefix, commandTimeoutMs: 5_000 });
  return {
    store,
    advance: (ms) => sleep(ms + MARGIN_MS),
    async close() {
      await store.close();
      await deleteByPrefix(url, keyPrefix);
    },
  };
}

/** Removes what a test left in the shared Redis (keys without TTL would stay forever). */
async function deleteByPrefix(url: string, prefix: string): Promise<void> {
  const raw = createClient({ url });
  await raw.connect();
  try {
    for await (const keys of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await raw.del(keys);
    }
  } finally {
    raw.destroy();
  }
}

/** The first answer `read` gives, retrying a few times while it fails. */
async function firstAnswer<T>(read: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts) throw err;
    }
  }
}

/** The behaviour every KeyValueStore adapter must share. */
function keyValueStoreContract(createHarness: () => Promise<Harness>): void {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  describe('get and set', () => {
    it('returns null for a key never set', async () => {
      expect(await h.store.get('missing')).toBeNull();
    });

    it('returns the value set, and the latest value after an overwrite', async () => {
      await h.store.set('greeting', 'hello');
      expect(await h.store.get('greeting')).toBe('hello');
      await h.store.set('greeting', 'bonjour');
      expect(await h.store.get('greeting')).toBe('bonjour');
    });

    it('keeps keys apart and stores strings as given', async () => {
      await h.store.set('a', '');
      await h.store.set('b', 'ünïcødé ✓ {"json":true}');
      expect(await h.store.get('a')).toBe('');
      expect(await h.store.get('b')).toBe('ünïcødé ✓ {"json":true}');
    });

    it('answers ping', async () => {
      await expect(h.store.ping()).resolves.toBeUndefined();
    });
  });

  describe('ttl and expiry', () => {
    it('reports the time left on a key set with a TTL', async () => {
      await h.store.set('session', 'x', 60_000);
      const ttl = await h.store.ttl('session');
      expect(ttl).not.toBeNull();
      expect(ttl!).toBeGreaterThan(50_000);
      expect(ttl!).toBeLessThanOrEqual(60_000);
    });

    it('reports null for a key without TTL and for a missing key', async () => {
      await h.store.set('forever', 'x');
      expect(await h.store.ttl('forever')).toBeNull();
      expect(await h.store.ttl('missing')).toBeNull();
    });

    it('forgets a key once its TTL has passed', async () => {
      await h.store.set('short', 'x', 200);
      await h.store.set('long', 'y', 60_000);
      await h.advance(200);
      expect(await h.store.get('short')).toBeNull();
      expect(await h.store.ttl('short')).toBeNull();
      expect(await h.store.delete('short')).toBe(false);
      expect(await h.store.get('long')).toBe('y');
    });

    it('clears the TTL when a key is set again without one', async () => {
      await h.store.set('k', 'v1', 200);
      await h.store.set('k', 'v2');
      await h.advance(200);
      expect(await h.store.get('k')).toBe('v2');
      expect(await h.store.ttl('k')).toBeNull();
    });
  });

  describe('expire', () => {
    it('gives a key a new TTL and keeps its value', async () => {
      await h.store.set('e', 'v', 60_000);
      expect(await h.store.expire('e', 300)).toBe(true);
      expect(await h.store.get('e')).toBe('v');
      const left = await h.store.ttl('e');
      expect(left).toBeGreaterThan(200);
      expect(left).toBeLessThanOrEqual(300);
      await h.advance(300);
      expect(await h.store.get('e')).toBeNull();
    });

    it('says false and creates nothing for a missing key', async () => {
      expect(await h.store.expire('absent', 5_000)).toBe(false);
      expect(await h.store.get('absent')).toBeNull();
    });
  });

  describe('setIfAbsent', () => {
    it('sets only the first time and leaves the first value in place', async () => {
      expect(await h.store.setIfAbsent('lock', 'first', 60_000)).toBe(true);
      expect(await h.store.setIfAbsent('lock', 'second', 60_000)).toBe(false);
      expect(await h.store.get('lock')).toBe('first');
    });

    it('sets the TTL it is given', async () => {
      await h.store.setIfAbsent('lock', 'x', 60_000);
      const ttl = await h.store.ttl('lock');
      expect(ttl).not.toBeNull();
      expect(ttl!).toBeGreaterThan(50_000);
    });

    it('succeeds again once the earlier value has expired', async () => {
      expect(await h.store.setIfAbsent('lock', 'first', 200)).toBe(true);
      await h.advance(200);
      expect(await h.store.setIfAbsent('lock', 'second', 60_000)).toBe(true);
      expect(await h.store.get('lock')).toBe('second');
    });

    it('does not replace a value written by set', async () => {
      await h.store.set('lock', 'held');
      expect(await h.store.setIfAbsent('lock', 'mine', 60_000)).toBe(false);
      expect(await h.store.get('lock')).toBe('held');
    });

    it('lets exactly one of many concurrent callers win', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => h.store.setIfAbsent('race', `caller-${i}`, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await h.store.get('race')).toBe(`caller-${results.indexOf(true)}`);
    });
  });

  describe('delete', () => {
    it('removes a key and says it existed', async () => {
      await h.store.set('k', 'v');
      expect(await h.store.delete('k')).toBe(true);
      expect(await h.store.get('k')).toBeNull();
    });

    it('says false for a key that does not exist', async () => {
      expect(await h.store.delete('never-set')).toBe(false);
    });

    it('frees the key for setIfAbsent', async () => {
      await h.store.setIfAbsent('lock', 'a', 60_000);
      await h.store.delete('lock');
      expect(await h.store.setIfAbsent('lock', 'b', 60_000)).toBe(true);
    });
  });

  describe('incrementWindow', () => {
    it('counts hits in the window and reports when it resets', async () => {
      const first = await h.store.incrementWindow('hits', 60_000);
      expect(first.count).toBe(1);
      expect(first.resetInMs).toBeGreaterThan(50_000);
      expect(first.resetInMs).toBeLessThanOrEqual(60_000);
      expect((await h.store.incrementWindow('hits', 60_000)).count).toBe(2);
      expect((await h.store.incrementWindow('hits', 60_000)).count).toBe(3);
    });

    it('keeps a separate count per key', async () => {
      await h.store.incrementWindow('a', 60_000);
      await h.store.incrementWindow('a', 60_000);
      expect((await h.store.incrementWindow('b', 60_000)).count).toBe(1);
    });

    it('keeps the window that started at the first hit instead of extending it', async () => {
      await h.store.incrementWindow('hits', 10_000);
      await h.advance(1_000);
      const second = await h.store.incrementWindow('hits', 10_000);
      expect(second.count).toBe(2);
      expect(second.resetInMs).toBeGreaterThan(0);
      expect(second.resetInMs).toBeLessThanOrEqual(9_000);
    });

    it('starts again at 1 once the window has passed', async () => {
      await h.store.incrementWindow('hits', 200);
      await h.store.incrementWindow('hits', 200);
      await h.advance(200);
      const next = await h.store.incrementWindow('hits', 200);
      expect(next.count).toBe(1);
      expect(next.resetInMs).toBeGreaterThan(0);
      expect(next.resetInMs).toBeLessThanOrEqual(200);
    });

    it('gives a counter that has no expiry the window, so it can never count forever', async () => {
      await h.store.set('hits', '5');
      const next = await h.store.incrementWindow('hits', 200);
      expect(next.count).toBe(6);
      expect(next.resetInMs).toBeGreaterThan(0);
      await h.advance(200);
      expect((await h.store.incrementWindow('hits', 200)).count).toBe(1);
    });

    it('is atomic: 200 concurrent hits on one key get the counts 1..200 once each', async () => {
      const results = await Promise.all(Array.from({ length: 200 }, () => h.store.incrementWindow('burst', 60_000)));
      const counts = results.map((r) => r.count).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      for (const r of results) expect(r.resetInMs).toBeGreaterThan(0);
    });
  });
}

describe('memory adapter', () => {
  keyValueStoreContract(memoryHarness);
});

const describeRedis = REDIS_URL ? describe : describe.skip;
describeRedis(REDIS_URL ? 'redis adapter' : 'redis adapter (skipped: REDIS_URL not set)', () => {
  const url = REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new URL(url);
  const target = { host: redis.hostname, port: Number(redis.port || 6379) };
  const prefix = () => `test:kv-contract:${randomBytes(6).toString('hex')}:`;

  keyValueStoreContract(() => redisHarness(url));

  it('writes every key under its prefix, out of sight of another prefix', async () => {
    const [mine, theirs] = [prefix(), prefix()];
    const a = await createRedisKeyValueStore({ url, keyPrefix: mine });
    const b = await createRedisKeyValueStore({ url, keyPrefix: theirs });
    const raw = createClient({ url });
    await raw.connect();
    try {
      await a.set('shared-name', 'from-a', 60_000);
      expect(await raw.get(`${mine}shared-name`)).toBe('from-a');
      expect(await b.get('shared-name')).toBeNull();
      expect(await b.setIfAbsent('shared-name', 'from-b', 60_000)).toBe(true);
      expect(await a.get('shared-name')).toBe('from-a');
    } finally {
      raw.destroy();
      await a.close();
      await b.close();
      await deleteByPrefix(url, mine);
      await deleteByPrefix(url, theirs);
    }
  });

  describe('when Redis cannot be reached', () => {
    // Outages must surface as errors well within this; a hang shows up as 'pending'.
    const COMMAND_TIMEOUT_MS = 300;
    const LIMIT_MS = COMMAND_TIMEOUT_MS + 4_000;

    it('fails to connect at once when nothing listens, instead of retrying forever', async () => {
      const port = await closedLocalPort();
      const connecting = createRedisKeyValueStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1_000 });
      const outcome = await settleWithin(connecting, 5_000);
      if (outcome.status === 'resolved') await outcome.value.close();
      expect(outcome.status).toBe('rejected');
    });

    it('turns a stalled connection into errors within the command timeout, and recovers when it heals', async () => {
      const proxy = await startTcpProxy(target);
      const keyPrefix = prefix();
      const store = await createRedisKeyValueStore({
        url: `redis://127.0.0.1:${proxy.port}`,
        keyPrefix,
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
      });
      try {
        await store.set('x', 'X', 60_000);
        await store.set('y', 'Y', 60_000);

        proxy.stall();
        const outcomes = await Promise.all(
          [store.get('x'), store.incrementWindow('hits', 60_000), store.ping()].map((c) => settleWithin<unknown>(c, LIMIT_MS)),
        );
        expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);

        // The late replies to the timed-out commands must not be handed to new ones. The backlog
        // may take longer than one command timeout on a loaded machine, so a read may be retried.
        proxy.heal();
        expect(await firstAnswer(() => store.get('y'))).toBe('Y');
        expect(await firstAnswer(() => store.get('x'))).toBe('X');
      } finally {
        await store.close();
        await proxy.cut();
        await deleteByPrefix(url, keyPrefix);
      }
    });

    it('turns a dropped connection into errors at once, for commands in flight and new ones', async () => {
      const proxy = await startTcpProxy(target);
      const store = await createRedisKeyValueStore({
        url: `redis://127.0.0.1:${proxy.port}`,
        keyPrefix: prefix(),
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
      });
      try {
        await store.ping();
        proxy.stall();
        const inFlight = store.get('x');
        await proxy.cut();
        const outcomes: Settlement<unknown>[] = [
          await settleWithin(inFlight, LIMIT_MS),
          await settleWithin(store.get('x'), LIMIT_MS),
          await settleWithin(store.set('x', 'v'), LIMIT_MS),
        ];
        // Let the client try (and fail) to reconnect; commands must still fail fast meanwhile.
        await sleep(500);
        outcomes.push(await settleWithin(store.incrementWindow('hits', 1_000), LIMIT_MS));
        expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
      } finally {
        await store.close();
      }
    });
  });
});
