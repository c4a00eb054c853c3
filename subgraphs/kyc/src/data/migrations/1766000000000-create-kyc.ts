import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KYC's tables: profiles (personal data sealed field by field), verification
 * cases and their history, documents, phone codes, provider webhooks seen,
 * sanctions lists, the staff audit log and the outbox.
 */
export class CreateKyc1766000000000 implements MigrationInterface {
  name = 'CreateKyc1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS kyc`);
    // Personal data columns are envelopes (platform/src/crypto): never plaintext.
    await q.query(`
      CREATE TABLE kyc.profiles (
        user_id uuid PRIMARY KEY,
        tier text NOT NULL DEFAULT 'TIER_0' CHECK (tier IN ('TIER_0', 'TIER_1', 'TIER_2')),
        legal_name bytea,
        date_of_birth bytea,
        nationality bytea,
        address bytea,
        tax_id bytea,
        phone bytea,
        tax_id_index text,
        phone_index text,
        -- Per field: status (PROVIDED, VERIFIED), source, updatedAt, verifiedAt.
        fields jsonb NOT NULL DEFAULT '{}'::jsonb,
        -- The latest sanctions screening: outcome, list version, matches.
        screening jsonb,
        screened_list_version text,
        -- List entries an officer found not to be this customer: not raised again by re-screening.
        cleared_matches jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX profiles_tax_id_index_idx ON kyc.profiles (tax_id_index) WHERE tax_id_index IS NOT NULL`);
    // Re-screening after a list update walks the profiles not yet screened against it.
    await q.query(`CREATE INDEX profiles_screened_list_idx ON kyc.profiles (screened_list_version)`);

    await q.query(`
      CREATE TABLE kyc.cases (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES kyc.profiles (user_id),
        target_tier text NOT NULL CHECK (target_tier IN ('TIER_1', 'TIER_2')),
        kind text NOT NULL DEFAULT 'CUSTOMER' CHECK (kind IN ('CUSTOMER', 'RESCREEN')),
        state text NOT NULL CHECK (state IN ('DRAFT', 'SUBMITTED', 'PROCESSING', 'APPROVED', 'REJECTED', 'NEEDS_REVIEW', 'RESUBMISSION_REQUESTED')),
        check_id uuid UNIQUE,
        provider_check_id text,
        check_submitted_at timestamptz,
        check_result jsonb,
        screening jsonb,
        review_reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
        pending_decision jsonb,
        customer_message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        submitted_at timestamptz,
        decided_at timestamptz
      )`);
    // At most one open case per customer (and one re-screening review): concurrent starts cannot make two.
    await q.query(`CREATE UNIQUE INDEX cases_one_open_idx ON kyc.cases (user_id, kind) WHERE state NOT IN ('APPROVED', 'REJECTED')`);
    await q.query(`CREATE INDEX cases_review_queue_idx ON kyc.cases (updated_at, id) WHERE state = 'NEEDS_REVIEW'`);
    await q.query(`CREATE INDEX cases_user_idx ON kyc.cases (user_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE kyc.case_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES kyc.cases (id),
        from_state text,
        to_state text NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('CUSTOMER', 'STAFF', 'SYSTEM', 'PROVIDER')),
        actor_id text,
        reason text,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX case_events_case_idx ON kyc.case_events (case_id, seq)`);

    await q.query(`
      CREATE TABLE kyc.documents (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES kyc.cases (id),
        user_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('PASSPORT', 'NATIONAL_ID', 'DRIVING_LICENCE', 'PROOF_OF_ADDRESS', 'SELFIE')),
        upload_id uuid NOT NULL UNIQUE,
        object_key text NOT NULL UNIQUE,
        content_type text NOT NULL,
        size integer NOT NULL CHECK (size > 0),
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX documents_case_idx ON kyc.documents (case_id, created_at)`);

    // One live code per customer; the code itself only as an HMAC.
    await q.query(`
      CREATE TABLE kyc.phone_codes (
        user_id uuid PRIMARY KEY REFERENCES kyc.profiles (user_id),
        phone bytea NOT NULL,
        code_hash text NOT NULL,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE kyc.provider_webhooks (
        webhook_id text PRIMARY KEY,
        check_id uuid,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE kyc.sanctions_lists (
        version text PRIMARY KEY,
        source text NOT NULL,
        entry_count integer NOT NULL,
        entries jsonb NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        active boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE UNIQUE INDEX sanctions_lists_one_active_idx ON kyc.sanctions_lists (active) WHERE active`);

    // Every staff read of personal data, and every decision; never updated or deleted.
    await q.query(`
      CREATE TABLE kyc.audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id uuid NOT NULL,
        actor_roles text[] NOT NULL,
        action text NOT NULL,
        subject_user_id uuid,
        case_id uuid,
        fields text[] NOT NULL DEFAULT '{}',
        revealed boolean NOT NULL DEFAULT false,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_subject_idx ON kyc.audit_log (subject_user_id, at)`);
    await q.query(`
      CREATE FUNCTION kyc.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'kyc.audit_log is append-only' USING ERRCODE = '42501';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON kyc.audit_log
      FOR EACH ROW EXECUTE FUNCTION kyc.audit_log_is_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON kyc.audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION kyc.audit_log_is_append_only()`);

    await q.query(`
      CREATE TABLE kyc.outbox (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        topic text NOT NULL,
        event_type text NOT NULL,
        aggregate_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON kyc.outbox (seq) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'audit_log', 'sanctions_lists', 'provider_webhooks', 'phone_codes', 'documents', 'case_events', 'cases', 'profiles']) {
      await q.query(`DROP TABLE kyc.${table}`);
    }
    await q.query(`DROP FUNCTION kyc.audit_log_is_append_only()`);
  }
}
