import { errors } from '../errors';
import { uuidv7 } from '../ids';
import type { Logger } from '../logger';
import { maskRecipient } from './mask-recipient';
import type { Notification, Notifier } from './notification';
import { assertWebhookSecret, signWebhook } from '../webhooks';

/** Options for {@link createWebhookNotifier}. */
export interface WebhookNotifierOptions {
  /** The notification service's endpoint; each message is POSTed there. */
  url: string;
  /** Standard Webhooks secret (`whsec_` then base64) the receiver verifies each message with. */
  secret: string;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
  /** Longest a send may take, answer included, in ms; default 5 s. */
  timeoutMs?: number;
  /** Gets a line per message (recipient masked, never the text or data) and one per failure. */
  logger?: Logger;
}

const UNAVAILABLE = 'The message could not be sent. Try again shortly.';

/**
 * Sends each notification to the notification service as a JSON POST signed
 * with Standard Webhooks headers; `webhook-id` is the notification id, so the
 * receiver can drop a replay. Redirects are not followed: the body holds codes.
 * `send` throws SERVICE_UNAVAILABLE on a non-2xx answer, a network failure or
 * the timeout.
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  assertWebhookSecret(options.secret);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const logger = options.logger;

  /** POSTs the signed body; the HTTP status, or the failure's message. */
  async function post(id: string, body: string): Promise<{ status: number } | { failure: string }> {
    const headers = { 'content-type': 'application/json', ...signWebhook(options.secret, { id, timestamp: new Date(), body }) };
    try {
      const response = await doFetch(options.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      // The answer's body is not needed; cancelling it frees the connection.
      await response.body?.cancel();
      return { status: response.status };
    } catch (err) {
      return { failure: (err as Error).message };
    }
  }

  return {
    async send(notification: Notification) {
      const id = uuidv7();
      const { channel, to, template, data = {}, text } = notification;
      const outcome = await post(id, JSON.stringify({ id, channel, to, template, data, text }));
      const fields = { notificationId: id, channel, template, to: maskRecipient(to) };
      if ('failure' in outcome || outcome.status < 200 || outcome.status >= 300) {
        logger?.warn({ ...fields, ...outcome }, 'notification webhook failed');
        throw errors.unavailable(UNAVAILABLE);
      }
      logger?.info(fields, 'notification sent to the webhook');
      return { id };
    },
  };
}
