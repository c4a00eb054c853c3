import { flag, loadConfig, port, serviceNames, subgraphBaseConfigSchema } from '@meridian/platform';
import { z } from 'zod';

/** KYC's settings; defaults give the embedded mode. */
export const kycConfigSchema = subgraphBaseConfigSchema.extend({
  KYC_PORT: port(4203),
  /** Services whose service tokens may read tiers at `/internal/kyc/...`, comma-separated; default `payments`. */
  KYC_API_CALLERS: serviceNames(['payments']),
  /** Run migrations at start-up; default: only in embedded mode (no DATABASE_URL). */
  MIGRATE_ON_START: flag(false).optional(),
  /**
   * The verification provider: `simulated` (deterministic, answers by signed webhook). The
   * default outside production; production must name it, so nobody runs it there by accident.
   */
  KYC_PROVIDER: z.enum(['simulated']).optional(),
  /**
   * Standard Webhooks secrets (`whsec_…`) provider webhooks are signed with, comma-separated,
   * current first. Required in production; generated once under DATA_DIR/keys otherwise.
   */
  KYC_WEBHOOK_SECRETS: z.string().optional(),
  /** Where the simulated provider delivers its webhooks; default this server's own route. */
  KYC_WEBHOOK_URL: z.string().url().optional(),
  /** An OFAC SDN directory (SDN.CSV, ALT.CSV, ADD.CSV) loaded at start when no list is active; default the bundled sample outside production. */
  KYC_SANCTIONS_LIST_DIR: z.string().optional(),
  /** Lowest name similarity (0–1) that counts as a possible sanctions match; default 0.85. */
  KYC_SCREENING_THRESHOLD: z.coerce.number().min(0.5).max(1).default(0.85),
  /** Days document images are kept after their case is decided; default 1825 (5 years). */
  KYC_DOCUMENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(1825),
  /** Run the background work (outbox, provider dispatch, re-screening, retention, the audit sealer) here; default true. */
  KYC_WORKERS: flag(true),
});

export type KycConfig = z.infer<typeof kycConfigSchema>;

/** Loads KYC's configuration from the environment. */
export function loadKycConfig(env: NodeJS.ProcessEnv = process.env): KycConfig {
  return loadConfig(kycConfigSchema, env);
}
