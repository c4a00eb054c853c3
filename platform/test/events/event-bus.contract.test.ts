import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { createMemoryEventBus, createRedisEventBus, streamKey, type BusEvent, type DeliveredEvent, type EventBus } from '@meridian/platform';
import { startTcpProxy } from '../helpers/network';
import { settleWithin, sleep } from '../helpers/settle-within';

const REDIS_URL = process.env.REDIS_URL;

/** A bus under test and what it takes to clean up after it. */
interface Harness {
  bus: EventBus;
  close(): Promise<void>;
}

/** Short timings so retries and dead letters happen within a test. */
const fast = { retryDelayMs: 150, blockMs: 50 };

async function memoryHarness(): Promise<Harness> {
  const bus = createMemoryEventBus();
  return { bus, close: () => bus.close() };
}

async function redisHarness(url: string): Promise<Harness> {
  const keyPrefix = `test:events:${randomBytes(6).toString('hex')}:`;
  const bus = await createRedisEventBus({ url, keyPrefix, commandTimeoutMs: 5_000 });
  return {
    bus,
    async close() {
      await bus.close();
      await deleteByPrefix(url, keyPrefix);
    },
  };
}

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

function event(overrides: Partial<BusEvent> = {}): BusEvent {
  return {
    id: randomUUID(),
    type: 'test.happened',
    payload: { n: 1, nested: { ok: true }, amount: '12.34' },
    occurredAt: new Date('2025-01-02T03:04:05.678Z'),
    ...overrides,
  };
}

/** Polls until `check` holds, failing with `what` after `limitMs`. */
async function waitFor(what: string, check: () => boolean, limitMs = 5_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The dead letters of `stream` once there are `count` of them. */
async function deadLettersOf(bus: EventBus, stream: string, count: number, limitMs = 5_000): Promise<DeliveredEvent[]> {
  const until = Date.now() + limitMs;
  for (;;) {
    const parked = await bus.deadLetters(stream);
    if (parked.length >= count) return parked;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${count} dead letters on ${stream}`);
    await sleep(20);
  }
}

/** The behaviour every EventBus adapter must share. */
function eventBusContract(createHarness: () => Promise<Harness>): void {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  describe('delivery', () => {
    it('delivers published events in order with their id, type, payload and time', async () => {
      const got: DeliveredEvent[] = [];
      await h.bus.subscribe('orders', 'audit', 'c1', async (e) => void got.push(e), fast);
      const sent = [event(), event({ type: 'test.other' }), event()];
      const entryIds: string[] = [];
      for (const e of sent) entryIds.push(await h.bus.publish('orders', e));
      await waitFor('three events', () => got.length === 3);
      expect(got.map((e) => e.id)).toEqual(sent.map((e) => e.id));
      expect(got.map((e) => e.entryId)).toEqual(entryIds);
      expect(got[1]).toMatchObject({ type: 'test.other', stream: 'orders', attempt: 1, payload: sent[1].payload });
      expect(got[0].occurredAt).toEqual(sent[0].occurredAt);
      expect(new Set(entryIds).size).toBe(3);
    });

    it('delivers what was published before the group existed, unless the group starts at the end', async () => {
      const early = event();
      await h.bus.publish('orders', early);
      const fromStart: string[] = [];
      const fromEnd: string[] = [];
      await h.bus.subscribe('orders', 'from-start', 'c1', async (e) => void fromStart.push(e.id), fast);
      await h.bus.subscribe('orders', 'from-end', 'c1', async (e) => void fromEnd.push(e.id), { ...fast, startAt: 'end' });
      const late = event();
      await h.bus.publish('orders', late);
      await waitFor('both groups', () => fromStart.length === 2 && fromEnd.length === 1);
      expect(fromStart).toEqual([early.id, late.id]);
      expect(fromEnd).toEqual([late.id]);
    });

    it('keeps streams apart', async () => {
      const got: string[] = [];
      await h.bus.subscribe('a', 'g', 'c1', async (e) => void got.push(e.stream), fast);
      await h.bus.publish('b', event());
      await h.bus.publish('a', event());
      await waitFor('one event', () => got.length === 1);
      await sleep(100);
      expect(got).toEqual(['a']);
    });

    it('stops delivering to a closed subscription; the group picks up where it left off', async () => {
      const first: string[] = [];
      const sub = await h.bus.subscribe('orders', 'g', 'c1', async (e) => void first.push(e.id), fast);
      await sub.close();
      const e = event();
      await h.bus.publish('orders', e);
      await sleep(150);
      expect(first).toEqual([]);
      const second: string[] = [];
      await h.bus.subscribe('orders', 'g', 'c2', async (d) => void second.push(d.id), fast);
      await waitFor('the event', () => second.length === 1);
      expect(second).toEqual([e.id]);
    });

    it('refuses an event without id or type', async () => {
      await expect(h.bus.publish('orders', event({ id: '' }))).rejects.toThrow(/id/);
      await expect(h.bus.publish('orders', event({ type: '' }))).rejects.toThrow(/type/);
    });

    it('answers ping', async () => {
      await expect(h.bus.ping()).resolves.toBeUndefined();
    });
  });

  describe('consumer groups', () => {
    it('shares a group’s events between its consumers, each event handled once, while another group gets them all', async () => {
      const byConsumer = new Map<string, string[]>();
      const other: string[] = [];
      const handle = (name: string) => async (e: DeliveredEvent) => {
        await sleep(3);
        byConsumer.set(name, [...(byConsumer.get(name) ?? []), e.id]);
      };
      const options = { ...fast, batchSize: 2 };
      await h.bus.subscribe('orders', 'workers', 'w1', handle('w1'), options);
      await h.bus.subscribe('orders', 'workers', 'w2', handle('w2'), options);
      await h.bus.subscribe('orders', 'reporting', 'r1', async (e) => void other.push(e.id), options);
      const sent = Array.from({ length: 40 }, () => event());
      for (const e of sent) await h.bus.publish('orders', e);
      const handled = () => [...byConsumer.values()].flat();
      await waitFor('40 events in each group', () => handled().length === 40 && other.length === 40);
      await sleep(100);
      expect(handled().sort()).toEqual(sent.map((e) => e.id).sort());
      expect(byConsumer.get('w1')!.length).toBeGreaterThan(0);
      expect(byConsumer.get('w2')!.length).toBeGreaterThan(0);
      expect(other).toEqual(sent.map((e) => e.id));
    });
  });

  describe('failures', () => {
    it('delivers again after a handler fails, counting attempts, until it succeeds', async () => {
      const attempts: number[] = [];
      let handled = 0;
      await h.bus.subscribe(
        'orders',
        'g',
        'c1',
        async (e) => {
          attempts.push(e.attempt);
          if (attempts.length < 3) throw new Error('downstream unavailable');
          handled += 1;
        },
        fast,
      );
      await h.bus.publish('orders', event());
      await waitFor('success', () => handled === 1);
      await sleep(400);
      expect(attempts).toEqual([1, 2, 3]);
      expect(handled).toBe(1);
      expect(await h.bus.deadLetters('orders')).toEqual([]);
    });

    it('parks an event that fails maxAttempts times in <stream>.dlq, with the error, and moves on', async () => {
      const poison = event({ type: 'test.poison' });
      const healthy = event();
      const calls: string[] = [];
      await h.bus.subscribe(
        'orders',
        'billing',
        'c1',
        async (e) => {
          calls.push(e.type);
          if (e.type === 'test.poison') throw new Error(`cannot bill ${e.id}`);
        },
        { ...fast, maxAttempts: 3 },
      );
      await h.bus.publish('orders', poison);
      await h.bus.publish('orders', healthy);
      await deadLettersOf(h.bus, 'orders', 1);
      await sleep(fast.retryDelayMs * 3);
      expect(calls.filter((t) => t === 'test.poison')).toHaveLength(3);
      expect(calls.filter((t) => t === 'test.happened')).toHaveLength(1);
      const parked = await h.bus.deadLetters('orders');
      expect(parked).toHaveLength(1);
      expect(parked[0]).toMatchObject({ id: poison.id, type: 'test.poison', payload: poison.payload, stream: 'orders.dlq' });
      expect(parked[0].deadLetter).toMatchObject({ stream: 'orders', group: 'billing', attempts: 3, error: `cannot bill ${poison.id}` });
    });

    it('lets a group consume the dead-letter stream like any other, with the reason attached', async () => {
      await h.bus.subscribe('orders', 'g', 'c1', async () => Promise.reject(new Error('boom')), { ...fast, maxAttempts: 1 });
      const parked: DeliveredEvent[] = [];
      await h.bus.subscribe('orders.dlq', 'ops', 'c1', async (e) => void parked.push(e), fast);
      const e = event();
      await h.bus.publish('orders', e);
      await waitFor('the parked event', () => parked.length === 1);
      expect(parked[0]).toMatchObject({ id: e.id, stream: 'orders.dlq', deadLetter: { group: 'g', attempts: 1, error: 'boom' } });
    });

    it('keeps a slow handler’s event from being handed to another consumer while it runs', async () => {
      let calls = 0;
      const slow = async () => {
        calls += 1;
        await sleep(fast.retryDelayMs * 4);
      };
      await h.bus.subscribe('orders', 'g', 'c1', slow, fast);
      await h.bus.subscribe('orders', 'g', 'c2', slow, fast);
      await h.bus.publish('orders', event());
      await sleep(fast.retryDelayMs * 8);
      expect(calls).toBe(1);
    });
  });

  describe('group stats', () => {
    it('tells how far a group is behind: lag before delivery, pending while handled, dead letters once parked', async () => {
      expect(await h.bus.groupStats('ledger', 'insights')).toBeNull();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started = 0;
      const sub = await h.bus.subscribe(
        'ledger',
        'insights',
        'c1',
        async (e) => {
          started += 1;
          if (e.type === 'test.poison') throw new Error('poison');
          await gate;
        },
        { ...fast, maxAttempts: 1, batchSize: 1 },
      );
      expect(await h.bus.groupStats('ledger', 'insights')).toEqual({ lag: 0, pending: 0, deadLetters: 0 });
      await h.bus.publish('ledger', event());
      await waitFor('the first event in the handler', () => started === 1);
      for (let i = 0; i < 3; i += 1) await h.bus.publish('ledger', event());
      // One entry held by the handler; three never delivered (the reader takes one at a time).
      const busy = await h.bus.groupStats('ledger', 'insights');
      expect(busy!.pending).toBe(1);
      expect(busy!.lag).toBeGreaterThanOrEqual(2);
      expect(busy!.lag).toBeLessThanOrEqual(3);
      release();
      await h.bus.publish('ledger', event({ type: 'test.poison' }));
      await deadLettersOf(h.bus, 'ledger', 1);
      let stats = await h.bus.groupStats('ledger', 'insights');
      for (const until = Date.now() + 5_000; stats!.pending > 0 && Date.now() < until; await sleep(20)) stats = await h.bus.groupStats('ledger', 'insights');
      expect(stats).toEqual({ lag: 0, pending: 0, deadLetters: 1 });
      await sub.close();
    });
  });

  describe('idempotency by event id', () => {
    it('runs the handler once for an event published twice, and once again in another group', async () => {
      const handled: string[] = [];
      const elsewhere: string[] = [];
      await h.bus.subscribe('orders', 'g', 'c1', async (e) => void handled.push(e.entryId), fast);
      const e = event();
      const [first, second] = [await h.bus.publish('orders', e), await h.bus.publish('orders', e)];
      expect(first).not.toBe(second);
      await h.bus.subscribe('orders', 'other', 'c1', async (d) => void elsewhere.push(d.id), fast);
      await waitFor('one handling in each group', () => handled.length === 1 && elsewhere.length === 1);
      await sleep(fast.retryDelayMs * 3);
      expect(handled).toEqual([first]);
      expect(elsewhere).toEqual([e.id]);
    });

    it('runs the handler once when two consumers get copies of one event at the same time', async () => {
      let calls = 0;
      const handler = async () => {
        calls += 1;
        await sleep(100);
      };
      const options = { ...fast, batchSize: 1 };
      await h.bus.subscribe('orders', 'g', 'c1', handler, options);
      await h.bus.subscribe('orders', 'g', 'c2', handler, options);
      const e = event();
      await Promise.all([h.bus.publish('orders', e), h.bus.publish('orders', e)]);
      await sleep(fast.retryDelayMs * 6);
      expect(calls).toBe(1);
    });

    it('forgets a handled id after processedTtlMs', async () => {
      const handled: string[] = [];
      await h.bus.subscribe('orders', 'g', 'c1', async (e) => void handled.push(e.entryId), { ...fast, processedTtlMs: 200 });
      const e = event();
      await h.bus.publish('orders', e);
      await waitFor('first handling', () => handled.length === 1);
      await sleep(400);
      await h.bus.publish('orders', e);
      await waitFor('second handling', () => handled.length === 2);
    });
  });
}

describe('memory event bus', () => {
  eventBusContract(memoryHarness);
});

const describeRedis = REDIS_URL ? describe : describe.skip;
describeRedis(REDIS_URL ? 'redis event bus' : 'redis event bus (skipped: REDIS_URL not set)', () => {
  const url = REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new URL(url);
  const target = { host: redis.hostname, port: Number(redis.port || 6379) };

  eventBusContract(() => redisHarness(url));

  describe('Redis specifics', () => {
    let keyPrefix: string;
    let bus: EventBus;
    let raw: ReturnType<typeof createClient>;
    beforeEach(async () => {
      keyPrefix = `test:events:${randomBytes(6).toString('hex')}:`;
      bus = await createRedisEventBus({ url, keyPrefix, commandTimeoutMs: 5_000 });
      raw = createClient({ url });
      await raw.connect();
    });
    afterEach(async () => {
      await bus.close();
      raw.destroy();
      await deleteByPrefix(url, keyPrefix);
    });

    it('writes streams under the prefix and acknowledges what it handled', async () => {
      const got: string[] = [];
      await bus.subscribe('orders', 'g', 'c1', async (e) => void got.push(e.id), fast);
      await bus.publish('orders', event());
      await waitFor('the event', () => got.length === 1);
      await sleep(50);
      expect(await raw.xLen(`${keyPrefix}{orders}`)).toBe(1);
      const pending = await raw.xPending(`${keyPrefix}{orders}`, 'g');
      expect(Number(pending.pending)).toBe(0);
    });

    it('keys a stream and its dead letters with one hash tag, so they share a Redis Cluster slot', async () => {
      await bus.subscribe('orders', 'g', 'c1', async () => { throw new Error('refused'); }, { ...fast, maxAttempts: 1 });
      await bus.publish('orders', event());
      await deadLettersOf(bus, 'orders', 1);
      expect((await raw.keys(`${keyPrefix}*orders*`)).sort()).toEqual([`${keyPrefix}{orders}`, `${keyPrefix}{orders}.dlq`]);
      expect(streamKey('meridian:', 'ledger.events.dlq')).toBe('meridian:{ledger.events}.dlq');
      expect(() => streamKey('meridian:', 'a{b}')).toThrow(/braces/);
    });

    it('still consumes, once per event, what a release before left under the former key, and counts it', async () => {
      const [first, second] = [event(), event()];
      await bus.publish('orders', first);
      await bus.publish('orders', second);
      // As the release before kept them: the stream without a hash tag, its group part-way through it.
      await raw.rename(`${keyPrefix}{orders}`, `${keyPrefix}orders`);
      await raw.xGroupCreate(`${keyPrefix}orders`, 'g', '0');
      // The first event was published again after the upgrade, under the new key: handled once all the same.
      await bus.publish('orders', first);
      const got: string[] = [];
      await bus.subscribe('orders', 'g', 'c1', async (e) => void got.push(e.id), fast);
      await waitFor('both events', () => got.length >= 2);
      await sleep(300);
      expect(got.sort()).toEqual([first.id, second.id].sort());
      expect(await bus.groupStats('orders', 'g')).toEqual({ lag: 0, pending: 0, deadLetters: 0 });
    });

    it('lists the dead letters left under the former key before the new ones', async () => {
      await bus.subscribe('orders', 'g', 'c1', async () => { throw new Error('refused'); }, { ...fast, maxAttempts: 1 });
      const [old, fresh] = [event(), event()];
      await bus.publish('orders', old);
      await deadLettersOf(bus, 'orders', 1);
      await raw.rename(`${keyPrefix}{orders}.dlq`, `${keyPrefix}orders.dlq`);
      await bus.publish('orders', fresh);
      const parked = await deadLettersOf(bus, 'orders', 2);
      expect(parked.map((e) => e.id)).toEqual([old.id, fresh.id]);
    });

    it('takes over an entry left pending by a consumer that died (XAUTOCLAIM)', async () => {
      const stream = `${keyPrefix}{orders}`;
      await raw.xGroupCreate(stream, 'g', '0', { MKSTREAM: true });
      const e = event();
      await bus.publish('orders', e);
      // A consumer reads it and is never heard of again.
      await raw.xReadGroup('g', 'dead-consumer', { key: stream, id: '>' }, { COUNT: 10 });
      const got: DeliveredEvent[] = [];
      await bus.subscribe('orders', 'g', 'c1', async (d) => void got.push(d), fast);
      await waitFor('the taken-over event', () => got.length === 1);
      expect(got[0]).toMatchObject({ id: e.id, attempt: 2 });
    });

    it('parks a malformed entry instead of retrying it forever', async () => {
      const got: string[] = [];
      await bus.subscribe('orders', 'g', 'c1', async (e) => void got.push(e.id), fast);
      await raw.xAdd(`${keyPrefix}{orders}`, '*', { garbage: 'yes' });
      await bus.publish('orders', event());
      await waitFor('the good event', () => got.length === 1);
      const parked = await deadLettersOf(bus, 'orders', 1);
      expect(parked).toHaveLength(1);
      expect(parked[0].deadLetter?.error).toMatch(/malformed/);
    });

    it('turns a stalled connection into rejected publishes, and consumers resume when it heals', async () => {
      const proxy = await startTcpProxy(target);
      const proxied = await createRedisEventBus({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix, commandTimeoutMs: 300 });
      try {
        const got: string[] = [];
        await proxied.subscribe('orders', 'g', 'c1', async (e) => void got.push(e.id), fast);
        const before = event();
        await proxied.publish('orders', before);
        await waitFor('the first event', () => got.length === 1);

        proxy.stall();
        const outcome = await settleWithin(proxied.publish('orders', event()), 4_000);
        expect(outcome.status).toBe('rejected');
        // Meanwhile another producer publishes straight to Redis.
        const during = event();
        await bus.publish('orders', during);
        await sleep(500);
        proxy.heal();
        await waitFor('the event published during the stall', () => got.includes(during.id), 10_000);
      } finally {
        await settleWithin(proxied.close(), 5_000);
        await proxy.cut();
      }
    });

    it('fails to start when Redis cannot be reached, instead of retrying forever', async () => {
      const outcome = await settleWithin(createRedisEventBus({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 }), 5_000);
      if (outcome.status === 'resolved') await outcome.value.close();
      expect(outcome.status).toBe('rejected');
    });
  });
});
