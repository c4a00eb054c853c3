import { flag, loadConfig, port, serviceNames, subgraphBaseConfigSchema } from '@meridian/platform';
import { z } from 'zod';

/** Banking's settings; defaults give the embedded mode. */
export const bankingConfigSchema = subgraphBaseConfigSchema.extend({
  BANKING_PORT: port(4202),
  /**
   * Services whose service tokens may call the internal ledger API (`/internal/ledger/...`),
   * comma-separated; default `payments`. The gateway and BFFs reach only `/graphql`.
   */
  LEDGER_API_CALLERS: serviceNames(['payments']),
  /**
   * Services that may only read through the internal ledger API (its GET routes: accounts,
   * transfers, the history in chain order), comma-separated; default `insights`.
   */
  LEDGER_READ_CALLERS: serviceNames(['insights']),
  /** Run migrations at start-up; default: only in embedded mode (no DATABASE_URL). */
  MIGRATE_ON_START: flag(false).optional(),
  /** Longest wait of a ledger statement for a lock (an account row, the chain head), in ms; default 2000. */
  LEDGER_LOCK_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
  /** Longest a banking statement may run, in ms; default 10000. */
  LEDGER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** Run the outbox relay, the hold-expiry sweeper, the ledger verification and the audit sealer in this process; default true. */
  LEDGER_WORKERS: flag(true),
  /**
   * Minutes between background verifications of the whole ledger (hash chain, balances,
   * zero-sum currencies), whose result is on /metrics; one replica verifies at a time.
   * Default 60; 0 turns it off. The first runs a minute after start.
   */
  LEDGER_VERIFY_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
});

export type BankingConfig = z.infer<typeof bankingConfigSchema>;

/** Loads banking's configuration from the environment. */
export function loadBankingConfig(env: NodeJS.ProcessEnv = process.env): BankingConfig {
  return loadConfig(bankingConfigSchema, env);
}
