import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeDataSource,
  connectRedis,
  createMemoryEventBus,
  createOutboxRelay,
  createRedisEventBus,
  initializeDataSource,
  type BusEvent,
  type EventBus,
} from '@meridian/platform';
import { createBankingDataSource } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

const REDIS_URL = process.env.REDIS_URL;
const STREAM = 'ledger.events';

let h: LedgerHarness;
let bus: EventBus;
let cleanUpBus: () => Promise<void>;
const owner = randomUUID();

/** The bus of the mode under test: Redis Streams under a prefix of the test's own, or the in-memory bus. */
async function openTestBus(): Promise<{ bus: EventBus; cleanUp: () => Promise<void> }> {
  if (!REDIS_URL) {
    const memory = createMemoryEventBus();
    return { bus: memory, cleanUp: () => memory.close() };
  }
  const keyPrefix = `test:outbox:${randomBytes(6).toString('hex')}:`;
  const redis = await createRedisEventBus({ url: REDIS_URL, keyPrefix, commandTimeoutMs: 5_000 });
  return {
    bus: redis,
    async cleanUp() {
      await redis.close();
      const { client } = await connectRedis({ url: REDIS_URL });
      for await (const keys of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) if (keys.length) await client.del(keys);
      client.destroy();
    },
  };
}

/** The bus, with every publish recorded (and optionally made to fail). */
function recording(inner: EventBus, fail?: (n: number, stream: string, event: BusEvent) => 'before' | 'after' | undefined) {
  const published: { stream: string; event: BusEvent }[] = [];
  let calls = 0;
  const wrapped: EventBus = {
    ...inner,
    async publish(stream, event) {
      calls += 1;
      const when = fail?.(calls, stream, event);
      if (when === 'before') throw new Error('Redis command timed out after 500 ms');
      const entryId = await inner.publish(stream, event);
      published.push({ stream, event });
      // Published, but the relay is told it failed: as if it crashed before its commit.
      if (when === 'after') throw new Error('connection lost after publishing');
      return entryId;
    },
  };
  return { bus: wrapped, published };
}

const move = (from: string, to: string, amount: bigint) => ({
  id: randomUUID(),
  code: 'TRANSFER',
  postings: [
    { accountId: from, direction: 'DEBIT' as const, amount, currency: 'EUR' as const },
    { accountId: to, direction: 'CREDIT' as const, amount, currency: 'EUR' as const },
  ],
});

async function unpublished(): Promise<number> {
  const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM banking.outbox WHERE published_at IS NULL`);
  return n;
}

beforeAll(async () => {
  h = await startLedger();
  ({ bus, cleanUp: cleanUpBus } = await openTestBus());
});
afterAll(async () => {
  await cleanUpBus();
  await h.close();
});
beforeEach(async () => {
  // Every test starts with an empty backlog.
  await createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: createMemoryEventBus() }).drainOnce();
});

/**
 * Writes `n` synthetic outbox rows and returns their ids, oldest first. Their times are
 * a millisecond apart: PGlite's clock can give rows written back to back the same time.
 */
async function insertRows(n: number): Promise<string[]> {
  const ids: string[] = [];
  const base = Date.now();
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    ids.push(id);
    await h.dataSource.query(
      `INSERT INTO banking.outbox (id, topic, event_type, aggregate_id, payload, created_at) VALUES ($1, $2, 'test.synthetic', $3, $4, $5)`,
      [id, STREAM, `agg-${i}`, JSON.stringify({ n: i }), new Date(base + i).toISOString()],
    );
  }
  return ids;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, limitMs = 5_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('outbox relay', () => {
  it('publishes posted, pending, voided and expired events to ledger.events exactly once per drain', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 10_000n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    await createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: createMemoryEventBus() }).drainOnce();
    const consumed: string[] = [];
    const sub = await bus.subscribe(STREAM, `consumer-${randomUUID()}`, 'c1', async (e) => void consumed.push(e.id), {
      startAt: 'end',
      blockMs: 50,
    });

    const single = await h.ledger.createTransfer({ ...move(a.id, b.id, 100n), description: 'PRET A MANGER 1234 LONDON GB', metadata: { mcc: '5814' } });
    const held = await h.ledger.createTransfer({ ...move(a.id, b.id, 200n), description: 'Payment to Ana', pendingTimeoutSeconds: 60 });
    const post = await h.ledger.postPending({ id: randomUUID(), pendingId: held.id });
    const voidable = await h.ledger.createTransfer({ ...move(a.id, b.id, 300n), pendingTimeoutSeconds: 60 });
    const voided = await h.ledger.voidPending({ id: randomUUID(), pendingId: voidable.id });
    const expiring = await h.ledger.createTransfer({ ...move(a.id, b.id, 400n), pendingTimeoutSeconds: 1 });
    expect(await h.ledger.expirePending(new Date(Date.now() + 5_000))).toBe(1);

    const rec = recording(bus);
    const relay = createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: rec.bus, batchSize: 3 });
    expect(await relay.drainOnce()).toBe(7);
    expect(rec.published.map((p) => [p.event.type, p.event.payload.transferId])).toEqual([
      ['ledger.transfer.posted', single.id],
      ['ledger.transfer.pending', held.id],
      ['ledger.transfer.posted', post.id],
      ['ledger.transfer.pending', voidable.id],
      ['ledger.transfer.voided', voided.id],
      ['ledger.transfer.pending', expiring.id],
      ['ledger.transfer.expired', expiring.id],
    ]);
    expect(new Set(rec.published.map((p) => p.stream))).toEqual(new Set([STREAM]));
    // The event id is the outbox row id: what consumers deduplicate by.
    const rows: { id: string; event_type: string }[] = await h.dataSource.query(
      `SELECT id, event_type FROM banking.outbox WHERE id = ANY($1::uuid[]) AND published_at IS NOT NULL`,
      [rec.published.map((p) => p.event.id)],
    );
    expect(rows).toHaveLength(7);
    expect(rec.published[0].event.payload).toMatchObject({ code: 'TRANSFER', postings: [{ accountId: a.id, direction: 'DEBIT', amount: '1.00' }, {}] });
    // A new transfer carries its description and metadata (what a card network sent); a post or void names its hold and the hold's description.
    expect(rec.published[0].event.payload).toMatchObject({ description: 'PRET A MANGER 1234 LONDON GB', metadata: { mcc: '5814' } });
    expect(rec.published[2].event.payload).toMatchObject({ pendingId: held.id, description: 'Payment to Ana' });
    expect(rec.published[4].event.payload).toMatchObject({ pendingId: voidable.id, description: voidable.description });
    expect(rec.published[0].event.occurredAt).toBeInstanceOf(Date);
    // An expiry says which holds it released.
    expect(rec.published[6].event.payload).toMatchObject({ code: 'TRANSFER', postings: [{ accountId: a.id, direction: 'DEBIT', amount: '4.00', pending: true }, {}] });

    expect(await relay.drainOnce()).toBe(0);
    expect(rec.published).toHaveLength(7);
    expect(await unpublished()).toBe(0);
    await waitFor('the consumer to see all seven', () => consumed.length === 7);
    expect(consumed).toEqual(rec.published.map((p) => p.event.id));
    await sub.close();
  });

  it('publishes in the order rows were written (seq), not by their clock times', async () => {
    const ids: string[] = [];
    const base = Date.now();
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      ids.push(id);
      // A clock that stepped back between writes must not reorder events.
      await h.dataSource.query(
        `INSERT INTO banking.outbox (id, topic, event_type, aggregate_id, payload, created_at) VALUES ($1, $2, 'test.synthetic', 'agg', '{}', $3)`,
        [id, STREAM, new Date(base - i * 1_000).toISOString()],
      );
    }
    const rec = recording(bus);
    expect(await createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: rec.bus, batchSize: 2 }).drainOnce()).toBe(5);
    expect(rec.published.map((p) => p.event.id)).toEqual(ids);
  });

  it('never publishes a row twice when two relays drain at the same time', async () => {
    const ids = await insertRows(240);
    // A second process's relay: its own DataSource, so its own connections.
    const second = createBankingDataSource(h.db.url, 4);
    await initializeDataSource(second, false);
    try {
      const slow = (inner: EventBus) => recording({ ...inner, publish: async (s, e) => (await sleep(0), inner.publish(s, e)) });
      const one = slow(bus);
      const two = slow(bus);
      const counts = await Promise.all([
        createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: one.bus, batchSize: 20 }).drainOnce(),
        createOutboxRelay({ table: 'banking.outbox', dataSource: second, bus: two.bus, batchSize: 20 }).drainOnce(),
      ]);
      const all = [...one.published, ...two.published].map((p) => p.event.id);
      expect(counts[0] + counts[1]).toBe(240);
      expect(all).toHaveLength(240);
      expect(new Set(all)).toEqual(new Set(ids));
      expect(await unpublished()).toBe(0);
      if (h.db.kind === 'postgres') {
        // PGlite runs one transaction at a time; on PostgreSQL both relays get a share.
        expect(one.published.length).toBeGreaterThan(0);
        expect(two.published.length).toBeGreaterThan(0);
      }
    } finally {
      await closeDataSource(second);
    }
  });

  it('skips rows another relay holds instead of waiting for them', async () => {
    if (h.db.kind !== 'postgres') return; // PGlite serialises transactions, so a held lock would block the drain.
    const ids = await insertRows(3);
    const holder = createBankingDataSource(h.db.url, 1);
    await initializeDataSource(holder, false);
    const runner = holder.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT id FROM banking.outbox WHERE id = $1 FOR UPDATE`, [ids[1]]);
      const rec = recording(bus);
      expect(await createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: rec.bus }).drainOnce()).toBe(2);
      expect(rec.published.map((p) => p.event.id)).toEqual([ids[0], ids[2]]);
      await runner.rollbackTransaction();
      expect(await createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: rec.bus }).drainOnce()).toBe(1);
      expect(rec.published.map((p) => p.event.id)).toEqual([ids[0], ids[2], ids[1]]);
    } finally {
      await runner.release();
      await closeDataSource(holder);
    }
  });

  it('leaves rows unpublished when the bus fails, and publishes them in order on the next drain', async () => {
    const ids = await insertRows(10);
    const failing = recording(bus, (n) => (n === 4 ? 'before' : undefined));
    const relay = createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: failing.bus, batchSize: 100 });
    await expect(relay.drainOnce()).rejects.toThrow(/timed out/);
    // What reached the bus before the failure is marked; the rest waits.
    expect(failing.published.map((p) => p.event.id)).toEqual(ids.slice(0, 3));
    expect(await unpublished()).toBe(7);

    const healthy = recording(bus);
    expect(await createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: healthy.bus }).drainOnce()).toBe(7);
    expect(healthy.published.map((p) => p.event.id)).toEqual(ids.slice(3));
    expect(await unpublished()).toBe(0);
  });

  it('publishes again after a crash between publish and commit, and a consumer handles the event once', async () => {
    const handled = new Map<string, number>();
    const sub = await bus.subscribe(
      STREAM,
      `dedupe-${randomUUID()}`,
      'c1',
      async (e) => void handled.set(e.id, (handled.get(e.id) ?? 0) + 1),
      { startAt: 'end', blockMs: 50, retryDelayMs: 200 },
    );
    const ids = await insertRows(5);
    const crashing = recording(bus, (n) => (n === 3 ? 'after' : undefined));
    await expect(createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: crashing.bus }).drainOnce()).rejects.toThrow(/connection lost/);
    expect(crashing.published.map((p) => p.event.id)).toEqual(ids.slice(0, 3));
    expect(await unpublished()).toBe(3);

    const again = recording(bus);
    expect(await createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: again.bus }).drainOnce()).toBe(3);
    // The third row reached the stream twice: at least once, not exactly once.
    expect(again.published.map((p) => p.event.id)).toEqual(ids.slice(2));

    await waitFor('the consumer to handle all five', () => ids.every((id) => handled.has(id)));
    await sleep(300);
    expect(ids.map((id) => handled.get(id))).toEqual([1, 1, 1, 1, 1]);
    await sub.close();
  });

  it('drains on its own once started, and not after it is stopped', async () => {
    const a = await h.fundedAccount(owner, 'EUR', 1_000n);
    const b = await h.fundedAccount(owner, 'EUR', 0n);
    const rec = recording(bus);
    const relay = createOutboxRelay({ table: 'banking.outbox', dataSource: h.dataSource, bus: rec.bus, intervalMs: 25 });
    relay.start();
    const first = await h.ledger.createTransfer(move(a.id, b.id, 1n));
    await waitFor('the relay to publish', () => rec.published.some((p) => p.event.payload.transferId === first.id));
    await relay.stop();
    await h.ledger.createTransfer(move(a.id, b.id, 1n));
    await sleep(150);
    expect(await unpublished()).toBe(1);
  });
});
