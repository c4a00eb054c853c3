import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, sessions (refresh-token families) and their tokens, and the append-only audit log. */
export class CreateIdentity1763900000000 implements MigrationInterface {
  name = 'CreateIdentity1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS identity`);
    await q.query(`
      CREATE TABLE identity.users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        phone text,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT '{CUSTOMER}',
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'LOCKED', 'DISABLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email),
        CONSTRAINT users_email_lower CHECK (email = lower(email)),
        CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['CUSTOMER', 'SUPPORT', 'COMPLIANCE', 'ADMIN']::text[])
      )`);
    await q.query(`CREATE UNIQUE INDEX users_phone_key ON identity.users (phone) WHERE phone IS NOT NULL`);
    // A session is a refresh-token family: one signed-in device or browser.
    await q.query(`
      CREATE TABLE identity.sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id),
        device_id text CHECK (char_length(device_id) BETWEEN 1 AND 128),
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_active_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    // A user's live sessions, most recently active first, without reading revoked ones.
    await q.query(`
      CREATE INDEX sessions_user_live_idx ON identity.sessions (user_id, last_active_at DESC)
      WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE identity.refresh_tokens (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL REFERENCES identity.sessions (id),
        user_id uuid NOT NULL REFERENCES identity.users (id),
        token_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON identity.refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_user_idx ON identity.refresh_tokens (user_id)`);
    await q.query(`
      CREATE TABLE identity.audit_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL,
        user_id uuid,
        ip text,
        user_agent text,
        request_id text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_events_user_idx ON identity.audit_events (user_id, occurred_at)`);
    // Append-only: the database itself refuses to change or remove history.
    await q.query(`
      CREATE FUNCTION identity.audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'identity.audit_events is append-only' USING ERRCODE = '42501';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON identity.audit_events
      FOR EACH ROW EXECUTE FUNCTION identity.audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON identity.audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION identity.audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.audit_events`);
    await q.query(`DROP FUNCTION identity.audit_events_append_only()`);
    await q.query(`DROP TABLE identity.refresh_tokens`);
    await q.query(`DROP TABLE identity.sessions`);
    await q.query(`DROP TABLE identity.users`);
  }
}
