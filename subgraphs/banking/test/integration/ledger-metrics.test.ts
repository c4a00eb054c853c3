import { randomUUID } from 'node:crypto';
import { createMemoryEventBus, createOutboxRelay, createServerMetrics, ErrorCode, type ServerMetrics } from '@meridian/platform';
import { metricValue } from '@meridian/platform/testing';
import { createLedgerMetrics, createLedgerVerification, LedgerService, type AccountRecord, type LedgerMetrics } from '../../src';
import { startLedger, type LedgerHarness } from '../helpers/ledger-harness';

let h: LedgerHarness;
let a: AccountRecord;
let b: AccountRecord;

beforeAll(async () => {
  h = await startLedger();
  a = await h.fundedAccount(randomUUID(), 'USD', 10_000n);
  b = await h.fundedAccount(randomUUID(), 'USD', 0n);
});
afterAll(() => h.close());

/** A ledger service whose metrics sit in a server registry of their own. */
function meteredLedger(): { ledger: LedgerService; ledgerMetrics: LedgerMetrics; metrics: ServerMetrics } {
  const metrics = createServerMetrics('banking');
  const ledgerMetrics = createLedgerMetrics();
  ledgerMetrics.register(metrics.registry);
  return { ledger: new LedgerService(h.dataSource, { metrics: ledgerMetrics }), ledgerMetrics, metrics };
}

const move = (amount: bigint, options: { pendingTimeoutSeconds?: number; id?: string } = {}) => ({
  id: options.id ?? randomUUID(),
  code: 'TRANSFER',
  pendingTimeoutSeconds: options.pendingTimeoutSeconds,
  postings: [
    { accountId: a.id, direction: 'DEBIT' as const, amount, currency: 'USD' as const },
    { accountId: b.id, direction: 'CREDIT' as const, amount, currency: 'USD' as const },
  ],
});

describe('ledger metrics', () => {
  it('count transfers written by kind, each batch and its waits; a replay of a stored id is not counted again', async () => {
    const { ledger, metrics } = meteredLedger();
    const registry = metrics.registry;
    const first = move(100n);
    await ledger.createTransfer(first);
    expect(await metricValue(registry, 'ledger_transfers_total', { kind: 'single' })).toBe(1);
    expect(await metricValue(registry, 'ledger_batch_size_count')).toBe(1);
    expect(await metricValue(registry, 'ledger_batch_size_sum')).toBe(1);
    expect(await metricValue(registry, 'ledger_group_commit_wait_seconds_count')).toBe(1);
    expect(await metricValue(registry, 'ledger_batch_duration_seconds_count')).toBe(1);

    // Eight at once: the group commit takes them in fewer batches than transfers, and every one waits in the queue.
    await Promise.all(Array.from({ length: 8 }, () => ledger.createTransfer(move(1n))));
    expect(await metricValue(registry, 'ledger_transfers_total', { kind: 'single' })).toBe(9);
    expect(await metricValue(registry, 'ledger_batch_size_sum')).toBe(9);
    expect(await metricValue(registry, 'ledger_batch_size_count')).toBeLessThan(9);
    expect(await metricValue(registry, 'ledger_group_commit_wait_seconds_count')).toBe(9);

    await ledger.createTransfer(first);
    expect(await metricValue(registry, 'ledger_transfers_total', { kind: 'single' })).toBe(9);

    const hold = await ledger.createTransfer(move(50n, { pendingTimeoutSeconds: 600 }));
    await ledger.postPending({ id: randomUUID(), pendingId: hold.id });
    const voided = await ledger.createTransfer(move(20n, { pendingTimeoutSeconds: 600 }));
    await ledger.voidPending({ id: randomUUID(), pendingId: voided.id });
    expect(await metricValue(registry, 'ledger_transfers_total', { kind: 'hold' })).toBe(2);
    expect(await metricValue(registry, 'ledger_transfers_total', { kind: 'post' })).toBe(1);
    expect(await metricValue(registry, 'ledger_transfers_total', { kind: 'void' })).toBe(1);
    expect(await registry.metrics()).toMatch(/ledger_transfers_total\{kind="single",service="banking"\} 9/);
  });

  it('count refusals by the code the caller gets, whether the batch or the input check refused', async () => {
    const { ledger, metrics } = meteredLedger();
    await expect(ledger.createTransfer(move(1_000_000n))).rejects.toMatchObject({ code: ErrorCode.INSUFFICIENT_FUNDS });
    await expect(ledger.createTransfer({ ...move(1n), postings: [] })).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    const reused = move(5n);
    await ledger.createTransfer(reused);
    await expect(ledger.createTransfer({ ...reused, postings: move(6n).postings })).rejects.toMatchObject({ code: ErrorCode.IDEMPOTENCY_KEY_REUSED });
    expect(await metricValue(metrics.registry, 'ledger_refusals_total', { code: ErrorCode.INSUFFICIENT_FUNDS })).toBe(1);
    expect(await metricValue(metrics.registry, 'ledger_refusals_total', { code: ErrorCode.BAD_USER_INPUT })).toBe(1);
    expect(await metricValue(metrics.registry, 'ledger_refusals_total', { code: ErrorCode.IDEMPOTENCY_KEY_REUSED })).toBe(1);
    expect(await metricValue(metrics.registry, 'ledger_transfers_total', { kind: 'single' })).toBe(1);
  });
});

describe('outbox backlog metrics', () => {
  it('count the unpublished rows and the age of the oldest, and fall to zero once the relay has published them', async () => {
    const metrics = createServerMetrics('banking');
    // Rows other tests left are published first, so the count is this test's alone.
    await createOutboxRelay({ dataSource: h.dataSource, table: 'banking.outbox', bus: createMemoryEventBus() }).drainOnce();
    const relay = createOutboxRelay({ dataSource: h.dataSource, table: 'banking.outbox', bus: createMemoryEventBus(), metrics });
    const outbox = { outbox: 'banking.outbox' };
    expect(await metricValue(metrics.registry, 'outbox_unpublished_events', outbox)).toBe(0);
    expect(await metricValue(metrics.registry, 'outbox_oldest_unpublished_age_seconds', outbox)).toBe(0);

    const ledger = new LedgerService(h.dataSource);
    for (let i = 0; i < 3; i++) await ledger.createTransfer(move(1n));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The gauges read the table when scraped (a second apart: each scrape reads afresh).
    expect(await metricValue(metrics.registry, 'outbox_unpublished_events', outbox)).toBe(3);
    expect(await metricValue(metrics.registry, 'outbox_oldest_unpublished_age_seconds', outbox)).toBeGreaterThanOrEqual(1);

    expect(await relay.drainOnce()).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await metricValue(metrics.registry, 'outbox_unpublished_events', outbox)).toBe(0);
    expect(await metricValue(metrics.registry, 'outbox_oldest_unpublished_age_seconds', outbox)).toBe(0);
    expect(await metricValue(metrics.registry, 'outbox_published_events_total', outbox)).toBe(3);
  });
});

describe('ledger verification metrics', () => {
  it('report a sound ledger as 1 with the time of the success, and a tampered one as 0', async () => {
    const metrics = createServerMetrics('banking');
    const verification = createLedgerVerification({ dataSource: h.dataSource, metrics, intervalMs: 3_600_000 });
    const before = Date.now() / 1000;
    expect(await verification.verifyOnce()).toMatchObject({ result: 'ok' });
    expect(await metricValue(metrics.registry, 'ledger_verification_ok')).toBe(1);
    const success = (await metricValue(metrics.registry, 'ledger_verification_last_success_timestamp_seconds'))!;
    expect(success).toBeGreaterThanOrEqual(before - 1);
    expect(await metricValue(metrics.registry, 'ledger_verification_runs_total', { result: 'ok' })).toBe(1);

    const [posting] = await h.dataSource.query(`SELECT id, amount FROM banking.postings ORDER BY id LIMIT 1`);
    const tamper = (amount: string) =>
      h.dataSource.transaction(async (m) => {
        await m.query(`ALTER TABLE banking.postings DISABLE TRIGGER ALL`);
        await m.query(`UPDATE banking.postings SET amount = $2 WHERE id = $1`, [posting.id, amount]);
        await m.query(`ALTER TABLE banking.postings ENABLE TRIGGER ALL`);
      });
    await tamper(String(BigInt(posting.amount) + 1n));
    try {
      expect(await verification.verifyOnce()).toMatchObject({ result: 'mismatch' });
    } finally {
      await tamper(String(posting.amount));
    }
    expect(await metricValue(metrics.registry, 'ledger_verification_ok')).toBe(0);
    expect(await metricValue(metrics.registry, 'ledger_verification_last_success_timestamp_seconds')).toBe(success);
    expect(await metricValue(metrics.registry, 'ledger_verification_runs_total', { result: 'mismatch' })).toBe(1);

    expect(await verification.verifyOnce()).toMatchObject({ result: 'ok' });
    expect(await metricValue(metrics.registry, 'ledger_verification_ok')).toBe(1);
  });
});

// The embedded PGlite is one PostgreSQL session behind every connection, so a lock cannot keep two of them apart
// there; it has one banking process anyway.
const describeReplicas = process.env.DATABASE_URL ? describe : describe.skip;
describeReplicas(process.env.DATABASE_URL ? 'ledger verification across replicas' : 'ledger verification across replicas (skipped: DATABASE_URL not set)', () => {
  it('skips a pass while another replica verifies, leaving the result as it was', async () => {
    const metrics = createServerMetrics('banking');
    const verification = createLedgerVerification({ dataSource: h.dataSource, metrics, intervalMs: 3_600_000 });
    expect(await verification.verifyOnce()).toMatchObject({ result: 'ok' });
    const other = h.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('banking.ledger-verification'))`);
      expect(await verification.verifyOnce()).toEqual({ result: 'skipped' });
      await other.query(`SELECT pg_advisory_unlock(hashtext('banking.ledger-verification'))`);
    } finally {
      await other.release();
    }
    expect(await metricValue(metrics.registry, 'ledger_verification_runs_total', { result: 'skipped' })).toBe(1);
    expect(await metricValue(metrics.registry, 'ledger_verification_runs_total', { result: 'ok' })).toBe(1);
    expect(await metricValue(metrics.registry, 'ledger_verification_ok')).toBe(1);
  });
});
