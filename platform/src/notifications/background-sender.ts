import pRetry from 'p-retry';
import type { Logger } from '../logger';
import { maskRecipient } from './mask-recipient';
import type { Notification, Notifier } from './notification';

/** Options for {@link createBackgroundSender}. */
export interface BackgroundSenderOptions {
  notifier: Notifier;
  /** Gets a warning per failed attempt (recipient masked, never the text or data). */
  logger?: Logger;
  /** Attempts per message, the first included; default 3. */
  attempts?: number;
  /** The wait before the second attempt, doubling after; default 500 ms. */
  retryDelayMs?: number;
}

/** Sends messages after the request that caused them has been answered. */
export interface BackgroundSender {
  /** Queues `notification` and returns at once; sending, and any retry, happens later. Never throws. */
  send(notification: Notification): void;
  /** Resolves once every message queued so far was sent or given up on (for a graceful stop, and tests). */
  settled(): Promise<void>;
}

/**
 * Sends notifications off the request path: a request never waits for (or
 * learns from) the mail service, so an answer takes the same time whether or
 * not a message went out — what lets "if this address has an account, we sent
 * a link" answers say nothing about the address. A failed send is retried a
 * few times, then logged and dropped.
 */
export function createBackgroundSender(options: BackgroundSenderOptions): BackgroundSender {
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const inFlight = new Set<Promise<void>>();

  async function deliver(notification: Notification): Promise<void> {
    // Off the current request's turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const about = { template: notification.template, to: maskRecipient(notification.to) };
    let attempt = 0;
    try {
      await pRetry(() => options.notifier.send(notification), {
        retries: Math.max(0, attempts - 1),
        minTimeout: retryDelayMs,
        factor: 2,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          attempt = attemptNumber;
          if (retriesLeft > 0) options.logger?.warn({ err: error.message, ...about, attempt }, 'notification not sent; retrying');
        },
      });
    } catch (err) {
      options.logger?.error({ err: (err as Error).message, ...about, attempt }, 'notification not sent; giving up');
    }
  }

  return {
    send(notification) {
      const pending = deliver(notification);
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
