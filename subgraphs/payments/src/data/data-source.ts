import { createDataSource } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { CreatePayments1767000000000 } from './migrations/1767000000000-create-payments';
import { PaymentHistorySeq1767100000000 } from './migrations/1767100000000-payment-history-seq';
import { RefundAttempts1767200000000 } from './migrations/1767200000000-refund-attempts';
import { StaffAuditChain1768200000000 } from './migrations/1768200000000-staff-audit-chain';
import { PaymentsOutboxTraceContext1768400000000 } from './migrations/1768400000000-outbox-trace-context';

/** The PostgreSQL schema payments owns. */
export const PAYMENTS_SCHEMA = 'payments';

/** Payments' DataSource, confined to the `payments` schema. It uses SQL directly, so it has no entities. */
export function createPaymentsDataSource(url: string, poolSize?: number): DataSource {
  return createDataSource({
    url,
    schema: PAYMENTS_SCHEMA,
    entities: [],
    migrations: [CreatePayments1767000000000, PaymentHistorySeq1767100000000, RefundAttempts1767200000000, StaffAuditChain1768200000000, PaymentsOutboxTraceContext1768400000000],
    poolSize,
    lockTimeoutMs: 5_000,
  });
}
