import { flag, loadConfig, port, subgraphBaseConfigSchema } from '@meridian/platform';
import { z } from 'zod';

/** Payments' settings; defaults give the embedded mode. */
export const paymentsConfigSchema = subgraphBaseConfigSchema.extend({
  PAYMENTS_PORT: port(4204),
  /** Banking's base URL, for its internal ledger API. */
  BANKING_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4202'),
  /** Identity's base URL, for finding the customer a payment is addressed to. */
  IDENTITY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4201'),
  /** KYC's base URL, for a customer's tier until `kyc.tier.changed` has told. */
  KYC_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4203'),
  /** The time zone days and months of the spending limits are counted in; default Europe/London. */
  PAYMENTS_LIMITS_TIME_ZONE: z.string().default('Europe/London'),
  /**
   * Payments leaving a customer (P2P, payouts, bills) of this many minor units or more need a second factor from the
   * last STEP_UP_MAX_AGE_SECONDS when the customer confirms them (or schedules them); default 100000 (1,000.00).
   */
  PAYMENTS_STEP_UP_THRESHOLD_MINOR: z.coerce.number().int().min(0).default(100_000),
  /** Run migrations at start-up; default: only in embedded mode (no DATABASE_URL). */
  MIGRATE_ON_START: flag(false).optional(),
  /** Run the background work (outbox, tier projection, the audit sealer) here; default true. */
  PAYMENTS_WORKERS: flag(true),
  /**
   * Standard Webhooks secrets (`whsec_…`) the payment provider's webhooks are signed with, comma-separated,
   * current first. Required in production; generated once under DATA_DIR/keys otherwise.
   */
  PAYMENTS_WEBHOOK_SECRETS: z.string().optional(),
  /** Where the simulated provider delivers its webhooks; default this server's own `/webhooks/payments`. */
  PAYMENTS_WEBHOOK_URL: z.string().url().optional(),
});

export type PaymentsConfig = z.infer<typeof paymentsConfigSchema>;

/** Loads payments' configuration from the environment. */
export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  return loadConfig(paymentsConfigSchema, env);
}
