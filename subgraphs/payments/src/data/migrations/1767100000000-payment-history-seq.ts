import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each payment counts its own history: `history_seq` is the number of its
 * latest history entry, raised by the same statement that changes the
 * payment's state, so the change and its history entry are written together
 * under the payment's row lock, in one statement.
 */
export class PaymentHistorySeq1767100000000 implements MigrationInterface {
  name = 'PaymentHistorySeq1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments.payments ADD COLUMN history_seq int NOT NULL DEFAULT 1`);
    await q.query(`
      UPDATE payments.payments p SET history_seq = h.last
      FROM (SELECT payment_id, max(seq) AS last FROM payments.payment_history GROUP BY payment_id) h
      WHERE h.payment_id = p.id AND h.last <> 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments.payments DROP COLUMN history_seq`);
  }
}
