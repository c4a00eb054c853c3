import type { MigrationInterface, QueryRunner } from 'typeorm';
import { sealAuditBatch } from '../../services/audit-chain';

/**
 * Hash-chains identity.audit_events: seq, prev_hash and hash on every entry,
 * set once by the sealer; the append-only trigger lets exactly that change
 * through. Entries already there are chained here, in id order.
 */
export class AuditHashChain1766300000000 implements MigrationInterface {
  name = 'AuditHashChain1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE identity.audit_events
        ADD COLUMN seq bigint CHECK (seq > 0),
        ADD COLUMN prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        ADD COLUMN hash text CHECK (hash ~ '^[0-9a-f]{64}$'),
        ADD CONSTRAINT audit_events_sealed_whole CHECK ((seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (hash IS NULL))`);
    // One entry per place: two sealers can never fork the chain.
    await q.query(`CREATE UNIQUE INDEX audit_events_seq_key ON identity.audit_events (seq)`);
    // What the sealer reads: only the entries still waiting, oldest first.
    await q.query(`CREATE INDEX audit_events_unsealed_idx ON identity.audit_events (id) WHERE seq IS NULL`);
    // Still no UPDATE, DELETE or TRUNCATE, but one: giving an unsealed entry its place in
    // the chain, once, with every other column (today's and any added later) unchanged.
    await q.query(`
      CREATE OR REPLACE FUNCTION identity.audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
             AND to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' = to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION 'identity.audit_events is append-only' USING ERRCODE = '42501';
      END $$`);
    while ((await sealAuditBatch(q.manager, 1_000)) === 1_000);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION identity.audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'identity.audit_events is append-only' USING ERRCODE = '42501';
      END $$`);
    await q.query(`
      ALTER TABLE identity.audit_events
        DROP CONSTRAINT audit_events_sealed_whole, DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash`);
  }
}
