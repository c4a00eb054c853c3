import type { DataSource } from 'typeorm';
import { uuidv7 } from '../ids';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../server/metrics';
import { currentTraceparent, linkFromTraceparent, recordError, SpanKind, withSpan, type Link } from '../telemetry';
import { createPeriodicWorker } from '../workers/periodic-worker';
import type { BusEvent, EventBus } from './event-bus';
import { outboxPublishedCounter, registerOutboxMetrics } from './event-metrics';

/** Options for {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  dataSource: DataSource;
  /**
   * The outbox table, schema-qualified (`banking.outbox`). Its columns: `id uuid` primary
   * key, `seq` (identity, the publishing order), `topic`, `event_type`, `aggregate_id`,
   * `payload jsonb`, `created_at`, `published_at` (null until published), with a partial
   * index on `seq` where `published_at IS NULL`.
   */
  table: string;
  bus: EventBus;
  logger?: Logger;
  /** Pause between drains once started, in ms. Default 1,000. */
  intervalMs?: number;
  /** Rows published per transaction. Default 100. */
  batchSize?: number;
  /**
   * The server's metrics: the worker's runs, the rows it publishes
   * (`outbox_published_events_total`) and the backlog, read when scraped
   * (`outbox_unpublished_events`, `outbox_oldest_unpublished_age_seconds`).
   */
  metrics?: ServerMetrics;
}

/** Publishes the outbox to the event bus. */
export interface OutboxRelay {
  /** Drains now and then every `intervalMs` until stopped. */
  start(): void;
  /** Stops the timer and waits for a drain in progress. */
  stop(): Promise<void>;
  /**
   * Publishes every unpublished row, batch by batch, and resolves with how many it
   * published. Rejects when the bus fails, after marking the rows it did publish;
   * the rest stay for the next drain.
   */
  drainOnce(): Promise<number>;
}

interface OutboxRow {
  id: string;
  topic: string;
  event_type: string;
  payload: Record<string, unknown>;
  created_at: string | Date;
  traceparent: string | null;
}

/** A drain stops after this many batches so one tick cannot run forever under constant load. */
const MAX_BATCHES_PER_DRAIN = 100;

const TABLE_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** An event to write to an outbox in the transaction that makes it true. */
export interface OutboxEvent {
  topic: string;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/**
 * Writes an event into `table` with the caller's transaction (an EntityManager or a connection), so
 * it is published if and only if that transaction commits. Returns its id, which
 * is the bus event's id (consumers deduplicate on it).
 */
export async function writeOutboxEvent(manager: { query(text: string, params?: unknown[]): Promise<unknown> }, table: string, event: OutboxEvent): Promise<string> {
  const row = outboxRow(table, event, 1);
  await manager.query(`INSERT INTO ${row.table} (${OUTBOX_COLUMNS}) VALUES (${row.placeholders})`, row.values);
  return row.id;
}

/** The columns an outbox row is written with, in the order of {@link outboxRow}'s values. */
export const OUTBOX_COLUMNS = 'id, topic, event_type, aggregate_id, payload, traceparent';

/**
 * One outbox row as statement parameters numbered from `$first` (with the
 * `traceparent` of the active span, so the event's consumers link back to the
 * request that caused it), for a statement that writes the event together with the change it reports, e.g.
 * `WITH moved AS (UPDATE … RETURNING …) INSERT INTO ${table} (${OUTBOX_COLUMNS}) SELECT ${placeholders} FROM moved`:
 * the event exists if and only if the change was made.
 */
export function outboxRow(table: string, event: OutboxEvent, first: number): { id: string; table: string; placeholders: string; values: unknown[] } {
  if (!TABLE_NAME.test(table)) throw new Error(`Outbox table "${table}" must be schema.table`);
  const id = uuidv7();
  const values = [id, event.topic, event.type, event.aggregateId, JSON.stringify(event.payload), currentTraceparent() ?? null];
  const placeholders = values.map((_, i) => `$${first + i}${i === 4 ? '::jsonb' : ''}`).join(', ');
  return { id, table, placeholders, values };
}

/**
 * The relay between a subgraph's outbox table and the event bus. Each batch is one
 * transaction: lock unpublished rows in `seq` order with `FOR UPDATE SKIP LOCKED`
 * (so relays in several processes share the work and never take the same row),
 * publish each to the stream named by its topic, mark them published, commit.
 *
 * Delivery is at least once: a crash or lost connection after a publish and
 * before the commit leaves the row unpublished, and it is published again. The
 * event id is the outbox row id, so consumers recognise the copy and skip it.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { dataSource, bus, logger, table } = options;
  if (!TABLE_NAME.test(table)) throw new Error(`Outbox table "${table}" must be schema.table`);
  const intervalMs = options.intervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const publishedRows = options.metrics ? outboxPublishedCounter(options.metrics.registry) : undefined;
  if (options.metrics) registerOutboxMetrics(options.metrics.registry, dataSource, table, { logger });
  /** Publishes one batch; returns how many rows it published and whether the batch was full. */
  async function drainBatch(): Promise<{ published: number; full: boolean }> {
    let failure: unknown;
    const batch = await dataSource.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(
        `SELECT id, topic, event_type, payload, created_at, traceparent FROM ${table}
         WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return { count: 0, full: false };
      // A span only for batches that publish: an idle relay's polls are no trace.
      const links = rows.map((row) => linkFromTraceparent(row.traceparent ?? undefined)).filter((link): link is Link => link !== undefined);
      const attributes = { 'meridian.outbox': table, 'messaging.operation.type': 'send', 'messaging.batch.message_count': rows.length };
      return withSpan('outbox.publish', attributes, async (span) => {
        const done: string[] = [];
        for (const row of rows) {
          const event: BusEvent = { id: row.id, type: row.event_type, payload: row.payload, occurredAt: new Date(row.created_at), traceparent: row.traceparent ?? undefined };
          try {
            await bus.publish(row.topic, event);
          } catch (err) {
            // Stop here so the rest keep their order; what was published is still marked below.
            failure = err;
            recordError(span, err);
            break;
          }
          done.push(row.id);
        }
        span.setAttribute('meridian.outbox.published', done.length);
        if (done.length > 0) {
          await m.query(`UPDATE ${table} SET published_at = clock_timestamp() WHERE id = ANY($1::uuid[])`, [done]);
        }
        return { count: done.length, full: rows.length === batchSize };
      }, { kind: SpanKind.PRODUCER, links });
    });
    if (batch.count > 0) publishedRows?.inc({ outbox: table }, batch.count);
    if (failure !== undefined) throw failure;
    return { published: batch.count, full: batch.full };
  }

  async function drainOnce(): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_DRAIN; batch++) {
      const { published, full } = await drainBatch();
      total += published;
      if (!full) break;
    }
    if (total > 0) logger?.debug({ published: total }, 'outbox drained');
    return total;
  }

  const worker = createPeriodicWorker({ name: 'outbox-relay', run: drainOnce, intervalMs, logger, metrics: options.metrics });
  return { start: worker.start, stop: worker.stop, drainOnce };
}
