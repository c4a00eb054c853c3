import type { KeyValueStore } from '../kv';
import type { Logger } from '../logger';
import { linkFromTraceparent, ROOT_CONTEXT, SpanKind, withSpan } from '../telemetry';
import type { BusEvent, DeliveredEvent, EventHandler, SubscribeOptions, Subscription } from './event-bus';
import { decodeDeadLetter, decodeEvent, encodeDeadLetter } from './event-codec';
import type { StreamEntry, StreamLog } from './stream-log';

const RUNNING = 'running';
const DONE = 'done';
const MAX_BACKOFF_MS = 2_000;

/** Subscription options with their defaults applied. */
type Settings = Required<SubscribeOptions>;

function settingsOf(options: SubscribeOptions): Settings {
  const s: Settings = {
    maxAttempts: options.maxAttempts ?? 5,
    retryDelayMs: options.retryDelayMs ?? 5_000,
    batchSize: options.batchSize ?? 10,
    blockMs: options.blockMs ?? 1_000,
    processedTtlMs: options.processedTtlMs ?? 7 * 86_400_000,
    startAt: options.startAt ?? 'beginning',
  };
  for (const key of ['maxAttempts', 'retryDelayMs', 'batchSize', 'blockMs', 'processedTtlMs'] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 1) throw new RangeError(`${key} must be a positive integer.`);
  }
  return s;
}

/** The key remembering that a group handled (or is handling) an event id. */
export function processedKey(stream: string, group: string, eventId: string): string {
  return `events:processed:${stream}:${group}:${eventId}`;
}

/** What a consumer needs from the bus that runs it. */
export interface ConsumerContext {
  log: StreamLog;
  /** Remembers handled event ids (with a TTL) and leases on ids being handled. */
  store: KeyValueStore;
  logger?: Logger;
}

/** What to consume and how. */
export interface ConsumerSpec {
  stream: string;
  group: string;
  consumer: string;
  handler: EventHandler;
  options: SubscribeOptions;
}

/**
 * Creates the group, then runs the consumer loop in the background: take over
 * entries left idle (failed, or held by a consumer that stopped), read new ones,
 * and dispatch each. Dispatch is where the bus's guarantees live:
 *
 * - An event id is claimed with a lease (`setIfAbsent` in the key-value store) before the
 *   handler runs and marked done after it succeeded, then the entry is acknowledged. A
 *   second entry with the same event id (a producer that published twice) is acknowledged
 *   without running the handler; one whose copy is still being handled waits for a retry.
 * - A handler that fails leaves its entry pending; it is delivered again once idle for
 *   `retryDelayMs` (XAUTOCLAIM), which counts a delivery. At `maxAttempts` deliveries the
 *   entry is copied to `<stream>.dlq` with the error and acknowledged, in one step.
 * - While a handler runs, its entry and lease are renewed, so a slow handler is never
 *   taken over by another consumer; a crashed one is, after `retryDelayMs`.
 * - Storage errors (Redis down) never hang the loop: commands time out, the loop backs off
 *   and retries, and the entries stay pending until it recovers.
 */
export async function startConsumer(ctx: ConsumerContext, spec: ConsumerSpec): Promise<Subscription> {
  const s = settingsOf(spec.options);
  const { log, store, logger } = ctx;
  const { stream, group, consumer, handler } = spec;
  await log.createGroup(stream, group, s.startAt);
  const reader = await log.openReader(s.blockMs);
  const isDeadLetterStream = stream.endsWith('.dlq');
  const claimEveryMs = Math.max(10, Math.floor(s.retryDelayMs / 2));

  let stopped = false;
  let wakeUp: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function park(entry: StreamEntry, error: string): Promise<void> {
    const info = { stream, group, consumer, entryId: entry.entryId, attempts: entry.deliveries, error, parkedAt: new Date() };
    await log.deadLetter(stream, group, entry.entryId, encodeDeadLetter(entry.fields, info));
    logger?.error({ stream, group, entryId: entry.entryId, eventId: entry.fields.id, error }, 'event parked in the dead-letter stream');
  }

  async function dispatch(entry: StreamEntry): Promise<void> {
    let event: BusEvent;
    try {
      event = decodeEvent(entry.fields);
    } catch (err) {
      await park(entry, `malformed entry: ${(err as Error).message}`);
      return;
    }
    const key = processedKey(stream, group, event.id);
    if (!(await store.setIfAbsent(key, RUNNING, s.retryDelayMs))) {
      if ((await store.get(key)) === DONE) await log.ack(stream, group, entry.entryId);
      // Otherwise a copy of this event is being handled now: leave it pending for a later retry.
      return;
    }
    if (entry.deliveries > s.maxAttempts) {
      // Delivered that often without success: its handler crashed the consumer or ran out of time.
      await park(entry, `not handled in ${s.maxAttempts} deliveries`);
      await store.delete(key);
      return;
    }
    let renewal: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(() => {
      renewal = Promise.all([log.touch(stream, group, consumer, [entry.entryId]), store.set(key, RUNNING, s.retryDelayMs)]).catch(
        (err: unknown) => logger?.warn({ err, stream, group }, 'could not renew an event in flight'),
      );
    }, Math.max(5, Math.floor(s.retryDelayMs / 3)));
    try {
      const deadLetter = isDeadLetterStream && entry.fields.deadLetter ? decodeDeadLetter(stream, entry.entryId, entry.fields).deadLetter : undefined;
      const delivered = { ...event, stream, entryId: entry.entryId, attempt: entry.deliveries, ...(deadLetter ? { deadLetter } : {}) };
      await traced(delivered, () => handler(delivered));
    } catch (err) {
      clearInterval(heartbeat);
      await renewal;
      await store.delete(key);
      const message = err instanceof Error ? err.message : String(err);
      if (entry.deliveries >= s.maxAttempts) await park(entry, message);
      else logger?.warn({ stream, group, eventId: event.id, attempt: entry.deliveries, error: message }, 'event handler failed; will retry');
      return;
    }
    clearInterval(heartbeat);
    // A renewal still in flight would overwrite DONE with RUNNING.
    await renewal;
    await store.set(key, DONE, s.processedTtlMs);
    await log.ack(stream, group, entry.entryId);
  }

  /**
   * The handler in a consumer span of a trace of its own, linked to the span that caused the
   * event (its `traceparent`), as OpenTelemetry's messaging conventions do for delivery that
   * may come long after, and more than once.
   */
  function traced(event: DeliveredEvent, handle: () => Promise<void>): Promise<void> {
    const link = linkFromTraceparent(event.traceparent);
    const attributes = {
      'messaging.system': log.kind,
      'messaging.operation.type': 'process',
      'messaging.destination.name': stream,
      'messaging.consumer.group.name': group,
      'messaging.message.id': event.id,
      'meridian.event.type': event.type,
      'meridian.event.attempt': event.attempt,
    };
    return withSpan(`process ${stream}`, attributes, handle, { kind: SpanKind.CONSUMER, parent: ROOT_CONTEXT, links: link ? [link] : [] });
  }

  const loop = (async () => {
    let backoffMs = 0;
    let lastClaim = 0;
    while (!stopped) {
      try {
        let claimedAny = false;
        if (Date.now() - lastClaim >= claimEveryMs) {
          lastClaim = Date.now();
          const claimed = await log.claimIdle(stream, group, consumer, s.retryDelayMs, s.batchSize);
          claimedAny = claimed.length > 0;
          for (const entry of claimed) {
            if (stopped) break;
            await dispatch(entry);
          }
        }
        if (stopped) break;
        // While retries are due, wait no longer than the next claim check.
        const block = claimedAny ? 0 : Math.min(s.blockMs, claimEveryMs);
        const fresh = await reader.readNew(stream, group, consumer, s.batchSize, block);
        for (const entry of fresh) {
          // Entries left undispatched stay pending and are taken over after retryDelayMs.
          if (stopped) break;
          await dispatch(entry);
        }
        backoffMs = 0;
      } catch (err) {
        if (stopped) break;
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, backoffMs * 2));
        logger?.warn({ err, stream, group, consumer, retryInMs: backoffMs }, 'event consumer failed; retrying');
        await pause(backoffMs);
      }
    }
  })();

  let closing: Promise<void> | undefined;
  return {
    stream,
    group,
    consumer,
    close() {
      closing ??= (async () => {
        stopped = true;
        wakeUp?.();
        await reader.close();
        await loop;
      })();
      return closing;
    },
  };
}

