import { createDataSource } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { CreateLedger1764000000000 } from './migrations/1764000000000-create-ledger';
import { LedgerWritePath1764100000000 } from './migrations/1764100000000-ledger-write-path';
import { AccessAuditChain1768300000000 } from './migrations/1768300000000-access-audit-chain';
import { BankingOutboxTraceContext1768400000000 } from './migrations/1768400000000-outbox-trace-context';

/** The PostgreSQL schema banking owns. */
export const BANKING_SCHEMA = 'banking';

/** How long banking's statements may wait for a lock and run, in ms. */
export interface LedgerTimeouts {
  /** `lock_timeout`: a session holding an account row or the chain head stalls a batch this long at most; default 2 s. */
  lockTimeoutMs: number;
  /** `statement_timeout`; default 10 s. */
  statementTimeoutMs: number;
}

export const DEFAULT_LEDGER_TIMEOUTS: LedgerTimeouts = { lockTimeoutMs: 2_000, statementTimeoutMs: 10_000 };

/**
 * Banking's DataSource, confined to the `banking` schema. The ledger uses SQL directly, so it has no entities.
 * Every connection has a lock and a statement timeout, so one session holding a row cannot stall the bank.
 */
export function createBankingDataSource(url: string, poolSize?: number, timeouts: LedgerTimeouts = DEFAULT_LEDGER_TIMEOUTS): DataSource {
  return createDataSource({
    url,
    schema: BANKING_SCHEMA,
    entities: [],
    migrations: [CreateLedger1764000000000, LedgerWritePath1764100000000, AccessAuditChain1768300000000, BankingOutboxTraceContext1768400000000],
    poolSize,
    lockTimeoutMs: timeouts.lockTimeoutMs,
    statementTimeoutMs: timeouts.statementTimeoutMs,
  });
}
