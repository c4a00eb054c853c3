import { flag, loadConfig, port, serviceNames, subgraphBaseConfigSchema } from '@meridian/platform';
import { z } from 'zod';

/** Insights' settings; defaults give the embedded mode. */
export const insightsConfigSchema = subgraphBaseConfigSchema.extend({
  INSIGHTS_PORT: port(4205),
  /** Banking's base URL, for its internal ledger API (accounts, and the ledger's history for a rebuild). */
  BANKING_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4202'),
  /** The time zone a transaction's day (and so its month) is counted in; default Europe/London. */
  INSIGHTS_TIME_ZONE: z.string().default('Europe/London'),
  /** Run migrations at start-up; default: only in embedded mode (no DATABASE_URL). */
  MIGRATE_ON_START: flag(false).optional(),
  /** Run the background work (the event consumers, the alert rules) here; default true. */
  INSIGHTS_WORKERS: flag(true),
  /** Deliveries an event gets before it is parked in the dead-letter stream; default 5. */
  INSIGHTS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** Services whose service tokens may call the internal insights API (the CSV export), comma-separated. */
  INSIGHTS_API_CALLERS: serviceNames(['bff-web', 'bff-mobile']),
});

export type InsightsConfig = z.infer<typeof insightsConfigSchema>;

/** Loads insights' configuration from the environment. */
export function loadInsightsConfig(env: NodeJS.ProcessEnv = process.env): InsightsConfig {
  return loadConfig(insightsConfigSchema, env);
}
