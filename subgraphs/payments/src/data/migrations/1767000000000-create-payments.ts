import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments' schema: payments with their history and refunds, idempotency
 * keys, payees, billers and cards, provider attempts and webhook receipts,
 * scheduled payments, the tier projection and limit usage, the staff audit
 * log and the outbox. Money itself lives in banking's ledger: a payment holds
 * only the ids of the ledger transfers it made.
 */
export class CreatePayments1767000000000 implements MigrationInterface {
  name = 'CreatePayments1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS payments`);
    // Saved destinations. Account numbers, biller references and card tokens are envelopes (platform/src/crypto), never plaintext.
    await q.query(`
      CREATE TABLE payments.payees (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        scheme text NOT NULL CHECK (scheme IN ('IBAN', 'UK_SORT_CODE')),
        account bytea NOT NULL,
        masked text NOT NULL,
        country text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX payees_user_idx ON payments.payees (user_id, created_at) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE payments.billers (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        biller_code text NOT NULL,
        reference bytea NOT NULL,
        masked_reference text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX billers_user_idx ON payments.billers (user_id, created_at) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE payments.cards (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        -- Which provider issued the token: another provider cannot charge it.
        provider text NOT NULL,
        token bytea NOT NULL,
        brand text NOT NULL,
        last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
        exp_month int NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
        exp_year int NOT NULL,
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX cards_user_idx ON payments.cards (user_id, created_at) WHERE deleted_at IS NULL`);
    // One saved card per card number (the provider's fingerprint) and customer: adding it again answers the one saved.
    await q.query(`CREATE UNIQUE INDEX cards_fingerprint_idx ON payments.cards (user_id, provider, fingerprint) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE payments.payments (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('P2P', 'PAYOUT', 'CARD', 'BILL')),
        status text NOT NULL CHECK (status IN ('REQUIRES_CONFIRMATION', 'REQUIRES_REVIEW', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL,
        refunded_amount bigint NOT NULL DEFAULT 0,
        -- Refunds under way: counted here until the ledger moved them, so two at once cannot pay back more than was paid.
        refund_reserved bigint NOT NULL DEFAULT 0,
        account_id uuid NOT NULL,
        counterparty_user_id uuid,
        counterparty_account_id uuid,
        counterparty_name text NOT NULL,
        payee_id uuid REFERENCES payments.payees (id),
        biller_id uuid REFERENCES payments.billers (id),
        card_id uuid REFERENCES payments.cards (id),
        description text NOT NULL DEFAULT '',
        hold_transfer_id uuid NOT NULL UNIQUE,
        review_reasons text[] NOT NULL DEFAULT '{}',
        failure_code text,
        failure_message text,
        scheduled_payment_id uuid,
        -- The day and month whose limit usage this payment counts in, once confirmed.
        limit_day date,
        limit_month date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payments_refunds_within CHECK (refunded_amount >= 0 AND refund_reserved >= 0 AND refunded_amount + refund_reserved <= amount)
      )`);
    await q.query(`CREATE INDEX payments_user_idx ON payments.payments (user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX payments_counterparty_idx ON payments.payments (counterparty_user_id, created_at DESC, id DESC) WHERE counterparty_user_id IS NOT NULL`);
    await q.query(`CREATE INDEX payments_review_idx ON payments.payments (created_at, id) WHERE status = 'REQUIRES_REVIEW'`);
    await q.query(`
      CREATE TABLE payments.payment_history (
        payment_id uuid NOT NULL REFERENCES payments.payments (id),
        seq int NOT NULL,
        from_status text,
        to_status text NOT NULL,
        actor text NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (payment_id, seq)
      )`);
    await q.query(`
      CREATE TABLE payments.refunds (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES payments.payments (id),
        amount bigint NOT NULL CHECK (amount > 0),
        status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
        transfer_id uuid NOT NULL UNIQUE,
        actor text NOT NULL,
        reason text NOT NULL,
        failure_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refunds_payment_idx ON payments.refunds (payment_id, created_at)`);

    // A key is the user's: the same key from two users is two requests. Kept 24 hours.
    await q.query(`
      CREATE TABLE payments.idempotency_keys (
        user_id uuid NOT NULL,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        operation text NOT NULL,
        fingerprint text NOT NULL,
        response jsonb,
        locked_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expiry_idx ON payments.idempotency_keys (expires_at)`);

    await q.query(`
      CREATE TABLE payments.provider_attempts (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES payments.payments (id),
        operation text NOT NULL CHECK (operation IN ('CHARGE', 'PAYOUT', 'REFUND')),
        status text NOT NULL CHECK (status IN ('SENDING', 'PENDING', 'SUCCEEDED', 'DECLINED', 'UNKNOWN')),
        request jsonb NOT NULL,
        response jsonb,
        provider_ref text,
        tries int NOT NULL DEFAULT 0,
        last_error text,
        last_sequence int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX provider_attempts_payment_idx ON payments.provider_attempts (payment_id)`);
    await q.query(`
      CREATE TABLE payments.webhook_receipts (
        id text PRIMARY KEY,
        provider text NOT NULL,
        event_type text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE payments.scheduled_payments (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('ACTIVE', 'CANCELED', 'COMPLETED')),
        schedule jsonb NOT NULL,
        payment jsonb NOT NULL,
        next_run_at timestamptz,
        runs int NOT NULL DEFAULT 0,
        last_payment_id uuid,
        -- How the last run ended: the payment's status, or the refusal's code when no payment could be made.
        last_outcome text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX scheduled_payments_user_idx ON payments.scheduled_payments (user_id, created_at)`);

    // What KYC said last about each customer, kept current by kyc.tier.changed.
    await q.query(`
      CREATE TABLE payments.customer_tiers (
        user_id uuid PRIMARY KEY,
        tier text NOT NULL CHECK (tier IN ('TIER_0', 'TIER_1', 'TIER_2')),
        changed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Money sent to others per customer, currency and period (a day or a month in the customer's time zone).
    await q.query(`
      CREATE TABLE payments.limit_usage (
        user_id uuid NOT NULL,
        currency text NOT NULL,
        period text NOT NULL CHECK (period IN ('DAY', 'MONTH')),
        period_start date NOT NULL,
        used bigint NOT NULL CHECK (used >= 0),
        PRIMARY KEY (user_id, currency, period, period_start)
      )`);

    await q.query(`
      CREATE TABLE payments.staff_audit (
        id uuid PRIMARY KEY,
        staff_user_id uuid NOT NULL,
        payment_id uuid,
        subject_user_id uuid,
        operation text NOT NULL,
        request_id text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE payments.outbox (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        topic text NOT NULL,
        event_type text NOT NULL,
        aggregate_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON payments.outbox (seq) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA payments CASCADE`);
  }
}
