import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createMemoryEventBus, registerConsumerGroupMetrics, type BusEvent, type EventBus, type Logger } from '@meridian/platform';
import { metricValue } from '@meridian/platform/testing';

const STREAM = 'orders.events';
const GROUP = 'billing';
const series = { stream: STREAM, group: GROUP };

function event(type: string): BusEvent {
  return { id: randomUUID(), type, payload: {}, occurredAt: new Date() };
}

type GroupStats = Awaited<ReturnType<EventBus['groupStats']>>;

/** Runs `check` until it stops throwing, for at most `ms`. */
async function eventually(check: () => Promise<void>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** A bus that answers groupStats as `stats` says, counting the calls; everything else is the memory bus's. */
function fakeStats(stats: () => Promise<GroupStats>): { bus: EventBus; calls: () => number } {
  const inner = createMemoryEventBus();
  let calls = 0;
  return {
    bus: {
      ...inner,
      groupStats: () => {
        calls += 1;
        return stats();
      },
    },
    calls: () => calls,
  };
}

describe('consumer group metrics', () => {
  it('report lag, pending and dead letters of a group as the bus sees them when scraped', async () => {
    const bus = createMemoryEventBus();
    const registry = new Registry();
    registerConsumerGroupMetrics(registry, bus, [series], { maxAgeMs: 0 });
    try {
      // No group yet: no series rather than a made-up zero.
      expect(await metricValue(registry, 'event_consumer_lag_entries', series)).toBeUndefined();
      for (const type of ['order.placed', 'order.broken', 'order.placed']) await bus.publish(STREAM, event(type));
      const handled: string[] = [];
      const subscription = await bus.subscribe(
        STREAM,
        GROUP,
        'worker-1',
        async (e) => {
          if (e.type === 'order.broken') throw new Error('cannot bill this');
          handled.push(e.id);
        },
        { maxAttempts: 1, retryDelayMs: 20, blockMs: 20 },
      );
      await eventually(async () => {
        expect(handled).toHaveLength(2);
        expect(await metricValue(registry, 'event_dead_letter_entries', series)).toBe(1);
      });
      expect(await metricValue(registry, 'event_consumer_lag_entries', series)).toBe(0);
      expect(await metricValue(registry, 'event_consumer_pending_entries', series)).toBe(0);
      await subscription.close();
      // Published while nobody reads: the group falls behind by exactly these.
      await bus.publish(STREAM, event('order.placed'));
      await bus.publish(STREAM, event('order.placed'));
      expect(await metricValue(registry, 'event_consumer_lag_entries', series)).toBe(2);
      expect(await registry.metrics()).toMatch(/event_consumer_lag_entries\{stream="orders.events",group="billing"\} 2/);
    } finally {
      await bus.close();
    }
  });

  it('read each group once per scrape, for all three gauges', async () => {
    const { bus, calls } = fakeStats(async () => ({ lag: 4, pending: 2, deadLetters: 1 }));
    const registry = new Registry();
    registerConsumerGroupMetrics(registry, bus, [series, { stream: 'payments.events', group: GROUP }]);
    const text = await registry.metrics();
    expect(calls()).toBe(2);
    expect(text).toMatch(/event_consumer_lag_entries\{stream="payments.events",group="billing"\} 4/);
    expect(text).toMatch(/event_consumer_pending_entries\{stream="orders.events",group="billing"\} 2/);
    expect(text).toMatch(/event_dead_letter_entries\{stream="orders.events",group="billing"\} 1/);
  });

  it('leave out a group whose read outlasts the timeout, without holding the scrape, and say so', async () => {
    const { bus } = fakeStats(() => new Promise<never>(() => undefined));
    const warnings: unknown[] = [];
    const logger = { warn: (details: unknown) => warnings.push(details) } as unknown as Logger;
    const registry = new Registry();
    registerConsumerGroupMetrics(registry, bus, [series], { timeoutMs: 100, logger });
    const started = performance.now();
    const text = await registry.metrics();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(text).not.toMatch(/event_consumer_lag_entries\{/);
    expect(text).toMatch(/# TYPE event_consumer_lag_entries gauge/);
    expect(warnings).toEqual([expect.objectContaining({ stream: STREAM, group: GROUP })]);
  });

  it('leave out a group whose read fails, and report it again once the bus answers', async () => {
    let failing = true;
    const { bus } = fakeStats(async () => {
      if (failing) throw new Error('Redis command timed out');
      return { lag: 7, pending: 0, deadLetters: 0 };
    });
    const registry = new Registry();
    registerConsumerGroupMetrics(registry, bus, [series], { maxAgeMs: 0 });
    expect(await metricValue(registry, 'event_consumer_lag_entries', series)).toBeUndefined();
    failing = false;
    expect(await metricValue(registry, 'event_consumer_lag_entries', series)).toBe(7);
  });
});
