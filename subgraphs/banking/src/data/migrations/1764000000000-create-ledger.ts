import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts with TigerBeetle-style balance counters, immutable transfers and
 * postings, the hash-chain head, the outbox and FX quotes.
 *
 * Every account is credit-normal: balance = credits - debits. Money entering
 * the bank debits a system account (which may go negative) and credits a
 * customer, so the balances of every currency always sum to zero.
 */
export class CreateLedger1764000000000 implements MigrationInterface {
  name = 'CreateLedger1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS banking`);
    await q.query(`CREATE SEQUENCE banking.account_number_seq START 400000000001`);
    await q.query(`
      CREATE TABLE banking.accounts (
        id uuid PRIMARY KEY,
        number text NOT NULL,
        owner_id uuid,
        kind text NOT NULL CHECK (kind IN ('CUSTOMER', 'SYSTEM')),
        type text NOT NULL CHECK (type IN ('CURRENT', 'SAVINGS', 'WALLET', 'LOAN', 'SETTLEMENT', 'FEES', 'FX', 'CLEARING')),
        currency char(3) NOT NULL CHECK (currency IN ('USD', 'EUR', 'GBP', 'INR', 'JPY')),
        name text NOT NULL,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')),
        overdraft_limit bigint NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
        debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
        credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
        debits_pending bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
        credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        CONSTRAINT accounts_number_key UNIQUE (number),
        CONSTRAINT accounts_customer_owner CHECK ((kind = 'CUSTOMER') = (owner_id IS NOT NULL)),
        CONSTRAINT accounts_customer_types CHECK (kind = 'SYSTEM' OR type IN ('CURRENT', 'SAVINGS', 'WALLET', 'LOAN')),
        -- The last line of defence: no code path can leave a customer below their overdraft limit.
        CONSTRAINT accounts_no_overdraw CHECK (
          kind = 'SYSTEM' OR credits_posted - debits_posted - debits_pending + overdraft_limit >= 0
        )
      )`);
    await q.query(`CREATE INDEX accounts_owner_idx ON banking.accounts (owner_id) WHERE owner_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX accounts_system_key ON banking.accounts (type, currency) WHERE kind = 'SYSTEM'`);

    await q.query(`
      CREATE TABLE banking.transfers (
        id uuid PRIMARY KEY,
        code text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
        description text NOT NULL DEFAULT '',
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        caused_by text,
        phase text NOT NULL CHECK (phase IN ('SINGLE', 'PENDING', 'POST_PENDING', 'VOID_PENDING')),
        status text NOT NULL CHECK (status IN ('POSTED', 'PENDING', 'VOIDED', 'EXPIRED')),
        pending_id uuid REFERENCES banking.transfers (id),
        timeout_at timestamptz,
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        seq bigint,
        prev_hash text,
        hash text,
        CONSTRAINT transfers_seq_key UNIQUE (seq),
        CONSTRAINT transfers_one_resolution UNIQUE (pending_id)
      )`);
    await q.query(`CREATE INDEX transfers_open_pending_idx ON banking.transfers (timeout_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX transfers_caused_by_idx ON banking.transfers (caused_by) WHERE caused_by IS NOT NULL`);

    await q.query(`
      CREATE TABLE banking.postings (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transfer_id uuid NOT NULL REFERENCES banking.transfers (id),
        account_id uuid NOT NULL REFERENCES banking.accounts (id),
        direction text NOT NULL CHECK (direction IN ('DEBIT', 'CREDIT')),
        amount bigint NOT NULL CHECK (amount > 0),
        currency char(3) NOT NULL,
        pending boolean NOT NULL,
        balance_after bigint,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT postings_balance_after_posted CHECK (pending = (balance_after IS NULL))
      )`);
    await q.query(`CREATE INDEX postings_account_idx ON banking.postings (account_id, id DESC)`);
    await q.query(`CREATE INDEX postings_account_time_idx ON banking.postings (account_id, created_at) WHERE NOT pending`);
    await q.query(`CREATE INDEX postings_transfer_idx ON banking.postings (transfer_id)`);

    await q.query(`
      CREATE TABLE banking.ledger_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_seq bigint NOT NULL,
        last_hash text NOT NULL
      )`);
    await q.query(`INSERT INTO banking.ledger_head (singleton, last_seq, last_hash) VALUES (true, 0, repeat('0', 64))`);

    await q.query(`
      CREATE TABLE banking.outbox (
        id uuid PRIMARY KEY,
        -- Taken after the transfer's account locks, so events of transfers that share an
        -- account are numbered in commit order; the relay publishes in this order.
        seq bigint GENERATED ALWAYS AS IDENTITY,
        topic text NOT NULL,
        event_type text NOT NULL,
        aggregate_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON banking.outbox (seq) WHERE published_at IS NULL`);

    await q.query(`
      CREATE TABLE banking.fx_quotes (
        id uuid PRIMARY KEY,
        owner_id uuid NOT NULL,
        sell_currency char(3) NOT NULL,
        buy_currency char(3) NOT NULL,
        sell_amount bigint NOT NULL CHECK (sell_amount > 0),
        buy_amount bigint NOT NULL CHECK (buy_amount > 0),
        rate numeric(24, 12) NOT NULL CHECK (rate > 0),
        provider text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_by_transfer uuid UNIQUE REFERENCES banking.transfers (id)
      )`);

    await q.query(`
      CREATE TABLE banking.access_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        staff_user_id uuid NOT NULL,
        account_id uuid NOT NULL,
        operation text NOT NULL,
        request_id text
      )`);

    // Immutability: postings and the audit never change; a transfer may only move out of
    // PENDING once and receive its chain position once.
    await q.query(`
      CREATE FUNCTION banking.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
      END $$`);
    for (const table of ['postings', 'access_audit']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON banking.${table} FOR EACH ROW EXECUTE FUNCTION banking.refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON banking.${table} FOR EACH STATEMENT EXECUTE FUNCTION banking.refuse_change()`);
    }
    await q.query(`
      CREATE FUNCTION banking.guard_transfer_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'transfers are immutable' USING ERRCODE = '42501';
        END IF;
        IF (NEW.id, NEW.code, NEW.description, NEW.metadata, NEW.caused_by, NEW.phase, NEW.pending_id,
            NEW.timeout_at, NEW.fingerprint, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.code, OLD.description, OLD.metadata, OLD.caused_by, OLD.phase, OLD.pending_id,
            OLD.timeout_at, OLD.fingerprint, OLD.created_at)
           OR (OLD.seq IS NOT NULL AND (NEW.seq, NEW.prev_hash, NEW.hash) IS DISTINCT FROM (OLD.seq, OLD.prev_hash, OLD.hash))
           OR (NEW.status IS DISTINCT FROM OLD.status AND OLD.status <> 'PENDING') THEN
          RAISE EXCEPTION 'transfers are immutable' USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER transfers_immutable BEFORE UPDATE OR DELETE ON banking.transfers FOR EACH ROW EXECUTE FUNCTION banking.guard_transfer_update()`);
    await q.query(`CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON banking.transfers FOR EACH STATEMENT EXECUTE FUNCTION banking.refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA banking CASCADE`);
  }
}
