import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each outbox event keeps the W3C traceparent of the request that wrote it, published
 * with the event so its consumers' spans link back to that request. Null when nothing was traced.
 */
export class KycOutboxTraceContext1768400000000 implements MigrationInterface {
  name = 'KycOutboxTraceContext1768400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kyc.outbox ADD COLUMN traceparent text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kyc.outbox DROP COLUMN traceparent`);
  }
}
