import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refund of a card payment is paid back by the provider: its attempt names
 * the refund it pays (`refund_id`), so the attempt's outcome, learnt from a
 * webhook or a later look, finishes that refund. Only REFUND attempts have one.
 */
export class RefundAttempts1767200000000 implements MigrationInterface {
  name = 'RefundAttempts1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments.provider_attempts ADD COLUMN refund_id uuid REFERENCES payments.refunds (id)`);
    await q.query(
      `ALTER TABLE payments.provider_attempts ADD CONSTRAINT provider_attempts_refund_link CHECK ((operation = 'REFUND') = (refund_id IS NOT NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments.provider_attempts DROP CONSTRAINT provider_attempts_refund_link`);
    await q.query(`ALTER TABLE payments.provider_attempts DROP COLUMN refund_id`);
  }
}
