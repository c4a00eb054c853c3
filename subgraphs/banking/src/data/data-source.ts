import { createDataSource } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { CreateLedger1764000000000 } from './migrations/1764000000000-create-ledger';
import { LedgerWritePath1764100000000 } from './migrations/1764100000000-ledger-write-path';

/** The PostgreSQL schema banking owns. */
export const BANKING_SCHEMA = 'banking';

/** Banking's DataSource, confined to the `banking` schema. The ledger uses SQL directly, so it has no entities. */
export function createBankingDataSource(url: string, poolSize?: number): DataSource {
  return createDataSource({ url, schema: BANKING_SCHEMA, entities: [], migrations: [CreateLedger1764000000000, LedgerWritePath1764100000000], poolSize });
}
