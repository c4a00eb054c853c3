import type { BaseConfig } from '../config';
import type { KeyValueStore } from '../kv';
import type { Logger } from '../logger';
import { createDevMailbox } from './dev-mailbox';
import type { Notifier } from './notification';
import { createWebhookNotifier } from './webhook-notifier';

/**
 * The notifier the configuration asks for: `NOTIFICATIONS=webhook` posts to
 * `NOTIFICATIONS_WEBHOOK_URL`, signed with `NOTIFICATIONS_WEBHOOK_SECRET`;
 * `dev-mailbox` (the default outside production) keeps messages in `kv`.
 * Throws at startup when production asks for anything but the webhook, or
 * when the webhook's URL or secret is missing.
 */
export function openNotifier(config: BaseConfig, deps: { kv: KeyValueStore; logger?: Logger }): Notifier {
  const production = config.NODE_ENV === 'production';
  const mode = config.NOTIFICATIONS ?? (production ? undefined : 'dev-mailbox');
  if (production && mode !== 'webhook') {
    // The dev mailbox keeps one-time codes readable by anyone with the key-value store.
    throw new Error('NOTIFICATIONS must be "webhook" in production');
  }
  if (mode === 'webhook') {
    const { NOTIFICATIONS_WEBHOOK_URL: url, NOTIFICATIONS_WEBHOOK_SECRET: secret } = config;
    if (!url || !secret) throw new Error('NOTIFICATIONS=webhook needs NOTIFICATIONS_WEBHOOK_URL and NOTIFICATIONS_WEBHOOK_SECRET');
    return createWebhookNotifier({ url, secret, logger: deps.logger });
  }
  return createDevMailbox({ kv: deps.kv, logger: deps.logger });
}
