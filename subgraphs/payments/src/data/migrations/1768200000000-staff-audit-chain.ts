import { appendOnlyAuditTriggerBody, sealAuditBatch } from '@meridian/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PAYMENTS_STAFF_AUDIT_LOG } from '../staff-audit';

/**
 * payments.staff_audit keeps why staff read or decided (`reason`; none on the
 * reads of a customer's saved destinations made under identity's lookup,
 * whose entry holds it under the same request id), becomes append-only, and
 * is hash-chained as identity's audit log is: seq, prev_hash and hash on
 * every entry, set once by the sealer, which the trigger lets through and
 * nothing else. Entries already there are chained here, in id order.
 */
export class StaffAuditChain1768200000000 implements MigrationInterface {
  name = 'StaffAuditChain1768200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE payments.staff_audit
        ADD COLUMN reason text CHECK (char_length(reason) BETWEEN 3 AND 500),
        ADD COLUMN seq bigint CHECK (seq > 0),
        ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        ADD COLUMN hash text CHECK (hash ~ '^[0-9a-f]{64}$'),
        ADD CONSTRAINT staff_audit_sealed_whole CHECK ((seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (hash IS NULL))`);
    // One entry per place: two sealers can never fork the chain.
    await q.query(`CREATE UNIQUE INDEX staff_audit_seq_key ON payments.staff_audit (seq)`);
    // What the sealer reads: only the entries still waiting.
    await q.query(`CREATE INDEX staff_audit_unsealed_idx ON payments.staff_audit (id) WHERE seq IS NULL`);
    await q.query(`CREATE FUNCTION payments.staff_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$${appendOnlyAuditTriggerBody('payments.staff_audit')} $$`);
    await q.query(`CREATE TRIGGER staff_audit_append_only BEFORE UPDATE OR DELETE ON payments.staff_audit FOR EACH ROW EXECUTE FUNCTION payments.staff_audit_append_only()`);
    await q.query(`CREATE TRIGGER staff_audit_no_truncate BEFORE TRUNCATE ON payments.staff_audit FOR EACH STATEMENT EXECUTE FUNCTION payments.staff_audit_append_only()`);
    while ((await sealAuditBatch(q.manager, PAYMENTS_STAFF_AUDIT_LOG, 1_000)) === 1_000);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER staff_audit_no_truncate ON payments.staff_audit`);
    await q.query(`DROP TRIGGER staff_audit_append_only ON payments.staff_audit`);
    await q.query(`DROP FUNCTION payments.staff_audit_append_only()`);
    await q.query(`DROP INDEX payments.staff_audit_unsealed_idx`);
    await q.query(`
      ALTER TABLE payments.staff_audit
        DROP CONSTRAINT staff_audit_sealed_whole, DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash, DROP COLUMN reason`);
  }
}
