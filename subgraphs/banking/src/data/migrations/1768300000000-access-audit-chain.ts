import { appendOnlyAuditTriggerBody, sealAuditBatch } from '@meridian/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BANKING_ACCESS_AUDIT_LOG } from '../../services/access-audit-log';

/**
 * banking.access_audit, the log of staff reads of accounts, is hash-chained
 * as identity's audit log is: seq, prev_hash and hash on every entry, set
 * once by the sealer. Its trigger gets a function of its own that lets that
 * one change through and nothing else (postings keep refusing every change).
 * Entries already there are chained here, in id order.
 */
export class AccessAuditChain1768300000000 implements MigrationInterface {
  name = 'AccessAuditChain1768300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE banking.access_audit
        ADD COLUMN seq bigint CHECK (seq > 0),
        ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        ADD COLUMN hash text CHECK (hash ~ '^[0-9a-f]{64}$'),
        ADD CONSTRAINT access_audit_sealed_whole CHECK ((seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (hash IS NULL))`);
    // One entry per place: two sealers can never fork the chain.
    await q.query(`CREATE UNIQUE INDEX access_audit_seq_key ON banking.access_audit (seq)`);
    // What the sealer reads: only the entries still waiting.
    await q.query(`CREATE INDEX access_audit_unsealed_idx ON banking.access_audit (id) WHERE seq IS NULL`);
    await q.query(`CREATE FUNCTION banking.access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$${appendOnlyAuditTriggerBody('banking.access_audit')} $$`);
    await q.query(`DROP TRIGGER access_audit_append_only ON banking.access_audit`);
    await q.query(`CREATE TRIGGER access_audit_append_only BEFORE UPDATE OR DELETE ON banking.access_audit FOR EACH ROW EXECUTE FUNCTION banking.access_audit_append_only()`);
    while ((await sealAuditBatch(q.manager, BANKING_ACCESS_AUDIT_LOG, 1_000)) === 1_000);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER access_audit_append_only ON banking.access_audit`);
    await q.query(`CREATE TRIGGER access_audit_append_only BEFORE UPDATE OR DELETE ON banking.access_audit FOR EACH ROW EXECUTE FUNCTION banking.refuse_change()`);
    await q.query(`DROP FUNCTION banking.access_audit_append_only()`);
    await q.query(`DROP INDEX banking.access_audit_unsealed_idx`);
    await q.query(`
      ALTER TABLE banking.access_audit
        DROP CONSTRAINT access_audit_sealed_whole, DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash`);
  }
}
