import path from 'node:path';
import { openKeyValueStore, loadWebhookSecrets, postWebhook, type KeyValueStore, type Logger } from '@meridian/platform';
import type { PaymentsConfig } from '../config';
import { createSimulatedPaymentProvider, type SimulatedPaymentProvider } from './simulated-provider';

/** Where the provider's webhooks arrive on this server, unless PAYMENTS_WEBHOOK_URL says otherwise. */
export const PAYMENTS_WEBHOOK_PATH = '/webhooks/payments';

/** Provider webhook secrets, current first: configured, or generated once under DATA_DIR outside production. */
export function webhookSecrets(config: PaymentsConfig): string[] {
  return loadWebhookSecrets({
    configured: config.PAYMENTS_WEBHOOK_SECRETS,
    file: path.join(config.DATA_DIR, 'keys', 'payments-webhook-secrets.json'),
    production: config.NODE_ENV === 'production',
    settingName: 'PAYMENTS_WEBHOOK_SECRETS',
  });
}

/** The simulated provider the server runs by default, and how to release what it holds. */
export interface OpenedSimulatedProvider {
  provider: SimulatedPaymentProvider;
  /** Stops its webhooks, then closes its key-value store. */
  close(): Promise<void>;
}

/**
 * The simulated provider with its tokens and attempts in Redis at REDIS_URL
 * (shared by replicas) or else in memory, signing with the current webhook
 * secret and delivering to PAYMENTS_WEBHOOK_URL (default this server's own route).
 */
export async function openSimulatedProvider(config: PaymentsConfig, secret: string, logger: Logger): Promise<OpenedSimulatedProvider> {
  const kv: KeyValueStore = await openKeyValueStore(config);
  let provider: SimulatedPaymentProvider;
  try {
    provider = createSimulatedPaymentProvider({
      store: kv,
      secret,
      deliver: postWebhook(config.PAYMENTS_WEBHOOK_URL ?? `http://127.0.0.1:${config.PAYMENTS_PORT}${PAYMENTS_WEBHOOK_PATH}`),
      logger,
    });
  } catch (err) {
    await kv.close();
    throw err;
  }
  return {
    provider,
    async close() {
      await provider.stop();
      await kv.close();
    },
  };
}
