import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Insights' read model, built from ledger and payment events (and rebuilt from
 * banking's ledger on demand): the customers' accounts as insights knows them,
 * their transactions enriched with a merchant and a category, the customers'
 * own category rules, budgets, savings goals and alerts. Money is in minor
 * units (bigint), signed: money in is positive, money out negative.
 */
export class CreateInsights1768000000000 implements MigrationInterface {
  name = 'CreateInsights1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS insights`);
    // Every ledger account insights has seen, with its owner; system accounts (the bank's own) have none.
    await q.query(`
      CREATE TABLE insights.accounts (
        id uuid PRIMARY KEY,
        user_id uuid,
        kind text NOT NULL CHECK (kind IN ('CUSTOMER', 'SYSTEM')),
        type text NOT NULL,
        currency text NOT NULL,
        name text NOT NULL DEFAULT '',
        fetched_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX accounts_user_idx ON insights.accounts (user_id) WHERE user_id IS NOT NULL`);
    // One row per customer account a transfer touched: a hold and the post that settled it are one row,
    // under the hold's id (settled_by names the post).
    await q.query(`
      CREATE TABLE insights.transactions (
        transfer_id uuid NOT NULL,
        account_id uuid NOT NULL,
        user_id uuid NOT NULL,
        settled_by uuid,
        status text NOT NULL CHECK (status IN ('PENDING', 'POSTED', 'VOIDED')),
        amount bigint NOT NULL CHECK (amount <> 0),
        currency text NOT NULL,
        booked_at timestamptz NOT NULL,
        booked_on date NOT NULL,
        code text NOT NULL,
        description text NOT NULL DEFAULT '',
        mcc text,
        merchant_key text,
        merchant_name text,
        auto_category text NOT NULL,
        category text NOT NULL,
        primary_category text NOT NULL,
        category_source text NOT NULL,
        rule_id uuid,
        -- Between two accounts of the same customer (the other account's type): neither income nor spending.
        own_transfer_with text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (transfer_id, account_id)
      )`);
    await q.query(`CREATE INDEX transactions_user_day_idx ON insights.transactions (user_id, booked_on, primary_category) INCLUDE (amount, currency, status, category)`);
    await q.query(`CREATE INDEX transactions_user_merchant_idx ON insights.transactions (user_id, merchant_key) WHERE merchant_key IS NOT NULL`);
    await q.query(`CREATE INDEX transactions_account_day_idx ON insights.transactions (account_id, booked_on) INCLUDE (amount, status)`);
    await q.query(`CREATE INDEX transactions_settled_by_idx ON insights.transactions (settled_by) WHERE settled_by IS NOT NULL`);
    // Posted money per account and day, kept by a trigger on every change of a transaction: balances
    // and net worth over time read a few rows per day instead of every transaction.
    await q.query(`
      CREATE TABLE insights.daily_balances (
        account_id uuid NOT NULL,
        day date NOT NULL,
        user_id uuid NOT NULL,
        currency text NOT NULL,
        delta bigint NOT NULL,
        PRIMARY KEY (account_id, day)
      )`);
    await q.query(`CREATE INDEX daily_balances_user_idx ON insights.daily_balances (user_id, day) INCLUDE (currency, delta)`);
    await q.query(`
      CREATE FUNCTION insights.track_daily_balance() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'POSTED' THEN
          INSERT INTO insights.daily_balances AS b (account_id, day, user_id, currency, delta) VALUES (OLD.account_id, OLD.booked_on, OLD.user_id, OLD.currency, -OLD.amount)
          ON CONFLICT (account_id, day) DO UPDATE SET delta = b.delta + excluded.delta;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'POSTED' THEN
          INSERT INTO insights.daily_balances AS b (account_id, day, user_id, currency, delta) VALUES (NEW.account_id, NEW.booked_on, NEW.user_id, NEW.currency, NEW.amount)
          ON CONFLICT (account_id, day) DO UPDATE SET delta = b.delta + excluded.delta;
        END IF;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER transactions_daily_balance_written AFTER INSERT OR DELETE ON insights.transactions
      FOR EACH ROW EXECUTE FUNCTION insights.track_daily_balance()`);
    await q.query(`
      CREATE TRIGGER transactions_daily_balance_changed AFTER UPDATE ON insights.transactions
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.amount IS DISTINCT FROM NEW.amount OR OLD.booked_on IS DISTINCT FROM NEW.booked_on)
      EXECUTE FUNCTION insights.track_daily_balance()`);
    // Each customer's recurring streams as last detected (the alert rules refresh them after new transactions, reads at least daily).
    await q.query(`
      CREATE TABLE insights.recurring_streams (
        user_id uuid PRIMARY KEY,
        streams jsonb NOT NULL,
        computed_on date NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // How holds ended, for a post, void or expiry that arrives before the hold itself.
    await q.query(`
      CREATE TABLE insights.hold_outcomes (
        transfer_id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('POSTED', 'VOIDED')),
        settled_by uuid,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    // A refund's ledger transfer and the payment transfer it gives money back for (from payment.refunded).
    await q.query(`
      CREATE TABLE insights.refund_links (
        refund_transfer_id uuid PRIMARY KEY,
        original_transfer_id uuid NOT NULL,
        payment_id uuid NOT NULL
      )`);
    await q.query(`
      CREATE TABLE insights.category_rules (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        merchant_key text,
        pattern text,
        min_amount bigint CHECK (min_amount >= 0),
        max_amount bigint CHECK (max_amount >= 0),
        category text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK (merchant_key IS NOT NULL OR pattern IS NOT NULL OR min_amount IS NOT NULL OR max_amount IS NOT NULL),
        CHECK (min_amount IS NULL OR max_amount IS NULL OR min_amount <= max_amount)
      )`);
    await q.query(`CREATE INDEX category_rules_user_idx ON insights.category_rules (user_id, created_at)`);
    await q.query(`
      CREATE TABLE insights.budgets (
        user_id uuid NOT NULL,
        category text NOT NULL,
        currency text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, category, currency)
      )`);
    await q.query(`
      CREATE TABLE insights.goals (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        target_amount bigint NOT NULL CHECK (target_amount > 0),
        currency text NOT NULL,
        target_date date,
        account_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        archived_at timestamptz
      )`);
    await q.query(`CREATE INDEX goals_user_idx ON insights.goals (user_id, created_at) WHERE archived_at IS NULL`);
    await q.query(`
      CREATE TABLE insights.alerts (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        type text NOT NULL,
        dedupe_key text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('INFO', 'WARNING')),
        title text NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        read_at timestamptz,
        UNIQUE (user_id, dedupe_key)
      )`);
    await q.query(`CREATE INDEX alerts_user_idx ON insights.alerts (user_id, created_at DESC, id DESC)`);
    // Customers whose transactions changed since the alert rules last looked at them.
    await q.query(`
      CREATE TABLE insights.alert_queue (
        user_id uuid PRIMARY KEY,
        since timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA insights CASCADE`);
  }
}
