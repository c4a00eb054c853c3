import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The write path of a batch of hundreds of postings:
 *
 * - The postings' references to their account and transfer are checked once per
 *   statement instead of by two row-level foreign keys, which ran one lookup per
 *   posting (about half the cost of inserting it). Accounts and transfers can
 *   never be deleted or truncated, so a reference checked at insert stays valid.
 * - The chain head records the time of its last transfer, so a batch can take
 *   its timestamp before it holds the head and the chain's times still never go
 *   backwards.
 * - expect_ledger_state fails a statement with a serialization failure: a batch
 *   planned on the state it expected the batch before it to leave writes only
 *   if the state is that.
 */
export class LedgerWritePath1764100000000 implements MigrationInterface {
  name = 'LedgerWritePath1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE banking.postings DROP CONSTRAINT postings_transfer_id_fkey, DROP CONSTRAINT postings_account_id_fkey`);
    await q.query(`CREATE TRIGGER accounts_never_deleted BEFORE DELETE ON banking.accounts FOR EACH ROW EXECUTE FUNCTION banking.refuse_change()`);
    await q.query(`CREATE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON banking.accounts FOR EACH STATEMENT EXECUTE FUNCTION banking.refuse_change()`);
    await q.query(`
      CREATE FUNCTION banking.check_posting_references() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        account_ids uuid[] := ARRAY(SELECT DISTINCT account_id FROM new_postings);
        transfer_ids uuid[] := ARRAY(SELECT DISTINCT transfer_id FROM new_postings);
      BEGIN
        -- Primary-key lookups of the distinct ids, whatever the size of either table.
        IF (SELECT count(*) FROM banking.accounts WHERE id = ANY (account_ids)) <> cardinality(account_ids) THEN
          RAISE EXCEPTION 'a posting references an account that does not exist'
            USING ERRCODE = '23503', CONSTRAINT = 'postings_account_id_fkey';
        END IF;
        IF (SELECT count(*) FROM banking.transfers WHERE id = ANY (transfer_ids)) <> cardinality(transfer_ids) THEN
          RAISE EXCEPTION 'a posting references a transfer that does not exist'
            USING ERRCODE = '23503', CONSTRAINT = 'postings_transfer_id_fkey';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER postings_references AFTER INSERT ON banking.postings
      REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION banking.check_posting_references()`);

    await q.query(`
      CREATE FUNCTION banking.expect_ledger_state(ok boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF ok IS NOT TRUE THEN
          RAISE EXCEPTION 'the accounts or the chain head are not in the state this batch was planned on' USING ERRCODE = '40001';
        END IF;
        RETURN true;
      END $$`);
    await q.query(`ALTER TABLE banking.ledger_head ADD COLUMN last_created_at timestamptz NOT NULL DEFAULT 'epoch'`);
    await q.query(`UPDATE banking.ledger_head SET last_created_at = coalesce((SELECT max(created_at) FROM banking.transfers), 'epoch')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE banking.ledger_head DROP COLUMN last_created_at`);
    await q.query(`DROP FUNCTION banking.expect_ledger_state(boolean)`);
    await q.query(`DROP TRIGGER postings_references ON banking.postings`);
    await q.query(`DROP FUNCTION banking.check_posting_references()`);
    await q.query(`DROP TRIGGER accounts_no_truncate ON banking.accounts`);
    await q.query(`DROP TRIGGER accounts_never_deleted ON banking.accounts`);
    await q.query(`ALTER TABLE banking.postings ADD CONSTRAINT postings_transfer_id_fkey FOREIGN KEY (transfer_id) REFERENCES banking.transfers (id)`);
    await q.query(`ALTER TABLE banking.postings ADD CONSTRAINT postings_account_id_fkey FOREIGN KEY (account_id) REFERENCES banking.accounts (id)`);
  }
}
