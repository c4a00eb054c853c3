import { createDataSource } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { CreateKyc1766000000000 } from './migrations/1766000000000-create-kyc';
import { AuditChain1768100000000 } from './migrations/1768100000000-audit-chain';
import { KycOutboxTraceContext1768400000000 } from './migrations/1768400000000-outbox-trace-context';

/** The PostgreSQL schema KYC owns. */
export const KYC_SCHEMA = 'kyc';

/** KYC's DataSource, confined to the `kyc` schema. It uses SQL directly (personal data is sealed column by column), so it has no entities. */
export function createKycDataSource(url: string, poolSize?: number): DataSource {
  return createDataSource({
    url,
    schema: KYC_SCHEMA,
    entities: [],
    migrations: [CreateKyc1766000000000, AuditChain1768100000000, KycOutboxTraceContext1768400000000],
    poolSize,
    lockTimeoutMs: 5_000,
  });
}
