/**
 * The sending side of a provider's webhooks, for the simulated providers: each
 * message is sent after a delay, signed with Standard Webhooks, and retried
 * with exponential backoff and jitter (p-retry) under one `webhook-id`, each
 * attempt signed with its own timestamp. Timers are unref'd and `stop()`
 * cancels them, so neither a server nor a test run is kept alive by a webhook
 * nobody waits for.
 */
import pRetry from 'p-retry';
import { signWebhook } from './standard-webhooks';

/** One webhook POST: the headers to send and the exact body they sign. */
export interface WebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

/** Sends one webhook; a 2xx status is delivered, any other status or a throw is retried. */
export type DeliverWebhook = (delivery: WebhookDelivery) => Promise<{ status: number }>;

/** Options for {@link createWebhookSender}. */
export interface WebhookSenderOptions {
  /** Signs every webhook (`whsec_…`). */
  secret: string;
  deliver: DeliverWebhook;
  /** Attempts in all, and the wait before the first retry, doubled for each later one and stretched by a random 1–2×. Default 5 attempts, 1000 ms. */
  retry?: { attempts: number; baseMs: number };
  /** Told of each failed attempt and of a message given up. Default: nothing is logged. */
  logger?: { warn(obj: object, msg: string): void };
  /** The clock for `webhook-timestamp`. Default: the system clock. */
  now?: () => Date;
}

/** A message to send: `id` is its `webhook-id`, `context` goes into log lines about it. */
export interface ScheduledWebhook {
  id: string;
  /** The exact body, or what writes it once, when the delay is over (a result that says when it was completed). */
  body: string | (() => string);
  delayMs: number;
  context: Record<string, unknown>;
  /** Called once the message was delivered, given up, or cancelled by `stop()`; never for a message ignored by `schedule`. */
  onSettled?: () => void;
}

/** Schedules, signs and retries webhook deliveries. */
export interface WebhookSender {
  /** Sends the message after its delay; a message whose id is already scheduled or being sent is ignored, as is everything after `stop()`. */
  schedule(message: ScheduledWebhook): void;
  /** Messages scheduled or being sent. */
  pending(): number;
  /** Cancels every message not yet being sent, ends retry waits, and waits for the attempts under way. */
  stop(): Promise<void>;
}

interface Job {
  message: ScheduledWebhook;
  timer?: ReturnType<typeof setTimeout>;
  settled: Promise<void>;
  settle: () => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A sender over `deliver`; see the file header. */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { secret, deliver, logger } = options;
  const { attempts, baseMs } = options.retry ?? { attempts: 5, baseMs: 1000 };
  const now = options.now ?? (() => new Date());
  const jobs = new Map<string, Job>();
  const stopping = new AbortController();

  /** Sends once; any status outside 2xx and any throw become a plain Error, so p-retry retries them all. */
  async function attempt(delivery: WebhookDelivery): Promise<void> {
    let status: number;
    try {
      ({ status } = await deliver(delivery));
    } catch (error) {
      throw new Error(`The webhook could not be sent: ${messageOf(error)}`, { cause: error });
    }
    if (status < 200 || status > 299) throw new Error(`The webhook receiver answered ${status}.`);
  }

  async function send({ id, body: written, context }: ScheduledWebhook): Promise<void> {
    const logged = { ...context, webhookId: id };
    let body: string;
    try {
      body = typeof written === 'string' ? written : written();
    } catch (error) {
      logger?.warn({ ...logged, err: messageOf(error) }, 'Webhook body could not be written; nothing was sent');
      return;
    }
    const once = () => attempt({ headers: { 'content-type': 'application/json', ...signWebhook(secret, { id, timestamp: now(), body }) }, body });
    try {
      await pRetry(once, {
        retries: Math.max(0, attempts - 1),
        minTimeout: baseMs,
        factor: 2,
        randomize: true,
        unref: true,
        signal: stopping.signal,
        // p-retry reports the stop signal as a failure even after a delivered attempt; stopping is not one.
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && !stopping.signal.aborted) logger?.warn({ ...logged, attempt: attemptNumber, err: error.message }, 'Webhook delivery failed; retrying');
        },
      });
    } catch (error) {
      if (stopping.signal.aborted) return;
      logger?.warn({ ...logged, attempts, err: messageOf(error) }, 'Webhook delivery given up after the last attempt');
    }
  }

  /** Forgets a job and tells whoever waits on it. */
  function finish(job: Job): void {
    jobs.delete(job.message.id);
    job.settle();
    job.message.onSettled?.();
  }

  return {
    schedule(message) {
      if (stopping.signal.aborted || jobs.has(message.id)) return;
      let settle = () => {};
      const settled = new Promise<void>((resolve) => (settle = resolve));
      const job: Job = { message, settled, settle };
      jobs.set(message.id, job);
      job.timer = setTimeout(() => {
        job.timer = undefined;
        void send(message).finally(() => finish(job));
      }, message.delayMs);
      job.timer.unref();
    },

    pending: () => jobs.size,

    async stop() {
      stopping.abort(new Error('The webhook sender was stopped.'));
      for (const job of jobs.values()) {
        if (job.timer === undefined) continue;
        clearTimeout(job.timer);
        finish(job);
      }
      await Promise.all([...jobs.values()].map((job) => job.settled));
    },
  };
}
