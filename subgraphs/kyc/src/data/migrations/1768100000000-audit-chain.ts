import { appendOnlyAuditTriggerBody, sealAuditBatch } from '@meridian/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { KYC_AUDIT_LOG } from '../audit-log';

/**
 * kyc.audit_log keeps why staff read (`reason`) and the request it came in
 * (`request_id`), and is hash-chained as identity's audit log is: seq,
 * prev_hash and hash on every entry, set once by the sealer, which the
 * append-only trigger lets through and nothing else. Entries already there
 * are chained here, in id order.
 */
export class AuditChain1768100000000 implements MigrationInterface {
  name = 'AuditChain1768100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE kyc.audit_log
        ADD COLUMN reason text CHECK (char_length(reason) BETWEEN 3 AND 500),
        ADD COLUMN request_id text,
        ADD COLUMN seq bigint CHECK (seq > 0),
        ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        ADD COLUMN hash text CHECK (hash ~ '^[0-9a-f]{64}$'),
        ADD CONSTRAINT audit_log_sealed_whole CHECK ((seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (hash IS NULL))`);
    // One entry per place: two sealers can never fork the chain.
    await q.query(`CREATE UNIQUE INDEX audit_log_seq_key ON kyc.audit_log (seq)`);
    // What the sealer reads: only the entries still waiting.
    await q.query(`CREATE INDEX audit_log_unsealed_idx ON kyc.audit_log (id) WHERE seq IS NULL`);
    await q.query(`CREATE OR REPLACE FUNCTION kyc.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$${appendOnlyAuditTriggerBody('kyc.audit_log')} $$`);
    while ((await sealAuditBatch(q.manager, KYC_AUDIT_LOG, 1_000)) === 1_000);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION kyc.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'kyc.audit_log is append-only' USING ERRCODE = '42501';
      END $$`);
    await q.query(`DROP INDEX kyc.audit_log_unsealed_idx`);
    await q.query(`
      ALTER TABLE kyc.audit_log
        DROP CONSTRAINT audit_log_sealed_whole, DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash, DROP COLUMN request_id, DROP COLUMN reason`);
  }
}
