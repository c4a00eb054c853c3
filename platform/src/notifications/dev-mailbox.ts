import { canonicalEmail } from '../email';
import { uuidv7 } from '../ids';
import type { KeyValueStore } from '../kv';
import type { Logger } from '../logger';
import { maskRecipient } from './mask-recipient';
import type { Notifier, SentNotification } from './notification';

/** A development-only store of what was sent, so flows can be tried by hand and in end-to-end tests. */
export interface DevMailbox extends Notifier {
  /** The messages kept for `to`, newest first; at most `limit` (default: all kept). */
  list(to: string, options?: { limit?: number }): Promise<SentNotification[]>;
  /** The newest message kept for `to`, of `template` when given. */
  latest(to: string, template?: string): Promise<SentNotification | undefined>;
}

/** Options for {@link createDevMailbox}. */
export interface DevMailboxOptions {
  /** Where messages are kept: Redis shares them between processes, memory keeps them in this one. */
  kv: KeyValueStore;
  /** How long a message is kept, in ms; default 24 h. */
  ttlMs?: number;
  /** Most messages kept per recipient; older ones are dropped. Default 50. */
  maxPerRecipient?: number;
  /** Gets one info line per message, with the recipient masked and never the text or data. */
  logger?: Logger;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not ${value}`);
  return value;
}

/**
 * The keys of one recipient's mailbox: a counter and one key per message slot.
 * Emails are compared as identity compares them; phones are kept as given (E.164).
 * The braces keep a recipient's keys in one Redis Cluster slot.
 */
function mailboxKeys(to: string) {
  const trimmed = to.trim();
  const base = `notifications:dev-mailbox:{${trimmed.includes('@') ? canonicalEmail(trimmed) : trimmed}}`;
  return { counter: `${base}:count`, slot: (n: number) => `${base}:${n}` };
}

/**
 * A {@link DevMailbox} in a key-value store. Each message gets its own slot from
 * an atomic counter, so concurrent sends never overwrite one another, and the
 * slot `maxPerRecipient` places back is deleted, so storage stays bounded. The
 * counter is kept alive as long as the newest message, so numbering never
 * restarts under messages still kept. Never use it in production: it keeps
 * one-time codes readable.
 */
export function createDevMailbox(options: DevMailboxOptions): DevMailbox {
  const { kv, logger } = options;
  const ttlMs = positiveInteger(options.ttlMs ?? DAY_MS, 'ttlMs');
  const max = positiveInteger(options.maxPerRecipient ?? 50, 'maxPerRecipient');

  async function kept(to: string): Promise<SentNotification[]> {
    const keys = mailboxKeys(to);
    const last = Number((await kv.get(keys.counter)) ?? 0);
    const slots = Array.from({ length: Math.min(last, max) }, (_, i) => last - i);
    const values = await Promise.all(slots.map((n) => kv.get(keys.slot(n))));
    return values.filter((value): value is string => value !== null).map((value) => JSON.parse(value) as SentNotification);
  }

  return {
    async send(notification) {
      const sent: SentNotification = { ...notification, id: uuidv7(), sentAt: new Date().toISOString() };
      const keys = mailboxKeys(notification.to);
      const { count: slot } = await kv.incrementWindow(keys.counter, ttlMs);
      await Promise.all([
        kv.set(keys.slot(slot), JSON.stringify(sent), ttlMs),
        kv.expire(keys.counter, ttlMs),
        slot > max ? kv.delete(keys.slot(slot - max)) : Promise.resolve(false),
      ]);
      logger?.info(
        { notificationId: sent.id, channel: sent.channel, template: sent.template, to: maskRecipient(sent.to) },
        'dev mailbox kept a notification',
      );
      return { id: sent.id };
    },
    async list(to, listOptions = {}) {
      const all = await kept(to);
      return listOptions.limit === undefined ? all : all.slice(0, Math.max(0, listOptions.limit));
    },
    async latest(to, template) {
      return (await kept(to)).find((message) => template === undefined || message.template === template);
    },
  };
}

/** True when `notifier` is a {@link DevMailbox}, whose messages can be read back. */
export function isDevMailbox(notifier: Notifier): notifier is DevMailbox {
  const candidate = notifier as Partial<DevMailbox>;
  return typeof candidate.list === 'function' && typeof candidate.latest === 'function';
}
