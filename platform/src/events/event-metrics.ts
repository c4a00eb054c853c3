import { Counter, Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { createScrapeSampler, registeredMetric, type ScrapeSamplerOptions } from '../server/metrics';
import type { EventBus } from './event-bus';
import type { GroupStats } from './stream-log';

/** Unpublished rows counted at most up to this, so a huge backlog cannot make the scrape's count slow. */
export const OUTBOX_COUNT_CAP = 100_000;

interface OutboxSource {
  read: () => Promise<{ unpublished: number; oldestAgeSeconds: number } | undefined>;
}

interface ConsumerSource {
  stream: string;
  group: string;
  read: () => Promise<GroupStats | null | undefined>;
}

// What each registry reports on, so servers that share a registry (or one server with several
// outboxes or groups) register each gauge once and every source is read by it.
const outboxes = new WeakMap<Registry, Map<string, OutboxSource>>();
const consumers = new WeakMap<Registry, Map<string, ConsumerSource>>();

/** Options for the scrape-time reads of {@link registerOutboxMetrics} and {@link registerConsumerGroupMetrics}. */
export interface EventMetricsOptions extends ScrapeSamplerOptions {
  /** Told about reads that failed or ran out of time. */
  logger?: Logger;
}

/**
 * The backlog of an outbox (schema-qualified `table`), read from the table when scraped:
 * `outbox_unpublished_events{outbox}` (rows the relay has not published yet, counted up
 * to {@link OUTBOX_COUNT_CAP}) and `outbox_oldest_unpublished_age_seconds{outbox}` (0 when
 * none waits). Both read the partial index of unpublished rows; a read that fails or
 * outlasts `timeoutMs` leaves the outbox out of that scrape.
 */
export function registerOutboxMetrics(registry: Registry, dataSource: DataSource, table: string, options: EventMetricsOptions = {}): void {
  if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Outbox table "${table}" must be schema.table`);
  const read = createScrapeSampler(async () => {
    const [row]: { unpublished: number | string; oldest_age: number | string | null }[] = await dataSource.query(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE published_at IS NULL LIMIT ${OUTBOX_COUNT_CAP}) AS backlog) AS unpublished,
              (SELECT EXTRACT(EPOCH FROM clock_timestamp() - created_at) FROM ${table} WHERE published_at IS NULL ORDER BY seq LIMIT 1)::float8 AS oldest_age`,
    );
    return { unpublished: Number(row.unpublished), oldestAgeSeconds: Math.max(0, Number(row.oldest_age ?? 0)) };
  }, { ...options, onMiss: (err) => options.logger?.warn({ err, outbox: table }, 'outbox backlog could not be read for /metrics') });
  const sources = outboxes.get(registry) ?? new Map<string, OutboxSource>();
  outboxes.set(registry, sources);
  sources.set(table, { read });
  const readAll = async () => Promise.all([...(outboxes.get(registry) ?? new Map<string, OutboxSource>()).entries()].map(async ([name, s]) => [name, await s.read()] as const));
  registeredMetric(registry, 'outbox_unpublished_events', () =>
    new Gauge({
      name: 'outbox_unpublished_events',
      help: `Outbox rows not yet published to the event bus (counted up to ${OUTBOX_COUNT_CAP})`,
      labelNames: ['outbox'],
      registers: [registry],
      aggregator: 'max',
      async collect() {
        const results = await readAll();
        this.reset();
        for (const [outbox, value] of results) if (value) this.set({ outbox }, value.unpublished);
      },
    }),
  );
  registeredMetric(registry, 'outbox_oldest_unpublished_age_seconds', () =>
    new Gauge({
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest outbox row not yet published, in seconds; 0 when none waits',
      labelNames: ['outbox'],
      registers: [registry],
      aggregator: 'max',
      async collect() {
        const results = await readAll();
        this.reset();
        for (const [outbox, value] of results) if (value) this.set({ outbox }, value.oldestAgeSeconds);
      },
    }),
  );
}

/** `outbox_published_events_total{outbox}`: rows the relay has published, the outbox's throughput. */
export function outboxPublishedCounter(registry: Registry): Counter<'outbox'> {
  return registeredMetric(
    registry,
    'outbox_published_events_total',
    () => new Counter({ name: 'outbox_published_events_total', help: 'Outbox rows published to the event bus', labelNames: ['outbox'], registers: [registry] }),
  );
}

/**
 * How far consumer groups are behind, read from the bus (`groupStats`) when scraped,
 * one read per stream and group shared by the three gauges:
 * `event_consumer_lag_entries` (not yet delivered to the group),
 * `event_consumer_pending_entries` (delivered, not yet acknowledged) and
 * `event_dead_letter_entries` (parked in the stream's dead-letter stream), each by
 * `stream` and `group`. A group that does not exist yet, a lag Redis cannot tell, and
 * a read that fails or outlasts `timeoutMs` are left out of that scrape. A clustered
 * server's workers read the same group, so the primary reports the largest, not a sum.
 */
export function registerConsumerGroupMetrics(registry: Registry, bus: EventBus, groups: { stream: string; group: string }[], options: EventMetricsOptions = {}): void {
  const sources = consumers.get(registry) ?? new Map<string, ConsumerSource>();
  consumers.set(registry, sources);
  for (const { stream, group } of groups) {
    const read = createScrapeSampler(() => bus.groupStats(stream, group), {
      ...options,
      onMiss: (err) => options.logger?.warn({ err, stream, group }, 'consumer group could not be read for /metrics'),
    });
    sources.set(`${stream}\n${group}`, { stream, group, read });
  }
  const gauge = (name: string, help: string, pick: (stats: GroupStats) => number | null) =>
    registeredMetric(registry, name, () =>
      new Gauge({
        name,
        help,
        labelNames: ['stream', 'group'],
        registers: [registry],
        aggregator: 'max',
        async collect() {
          const all = [...(consumers.get(registry) ?? new Map<string, ConsumerSource>()).values()];
          const results = await Promise.all(all.map(async (s) => [s, await s.read()] as const));
          this.reset();
          for (const [s, stats] of results) {
            const value = stats ? pick(stats) : null;
            if (value !== null) this.set({ stream: s.stream, group: s.group }, value);
          }
        },
      }),
    );
  gauge('event_consumer_lag_entries', 'Stream entries not yet delivered to the consumer group', (s) => s.lag);
  gauge('event_consumer_pending_entries', 'Stream entries delivered to the consumer group and not yet acknowledged', (s) => s.pending);
  gauge('event_dead_letter_entries', "Entries parked in the stream's dead-letter stream", (s) => s.deadLetters);
}
