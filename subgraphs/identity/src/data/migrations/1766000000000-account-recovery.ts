import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email verification and password resets: when a user proved their address,
 * the links that prove an address (also a new one, for an email change), and
 * password resets with their link, typed code and wrong-code count. Tokens and
 * codes are kept only as SHA-256 hashes.
 */
export class AccountRecovery1766000000000 implements MigrationInterface {
  name = 'AccountRecovery1766000000000';

  async up(q: QueryRunner): Promise<void> {
    // Users who registered before verification existed never proved their address: null.
    await q.query(`ALTER TABLE identity.users ADD COLUMN email_verified_at timestamptz`);
    await q.query(`
      CREATE TABLE identity.email_verifications (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id),
        email text NOT NULL CHECK (email = lower(email)),
        token_hash bytea NOT NULL CHECK (octet_length(token_hash) = 32),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        voided_at timestamptz,
        CONSTRAINT email_verifications_token_hash_key UNIQUE (token_hash)
      )`);
    // A user's live links, to void them when a newer one is sent.
    await q.query(`
      CREATE INDEX email_verifications_user_live_idx ON identity.email_verifications (user_id)
      WHERE used_at IS NULL AND voided_at IS NULL`);
    await q.query(`
      CREATE TABLE identity.password_resets (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id),
        token_hash bytea NOT NULL CHECK (octet_length(token_hash) = 32),
        code_hash bytea NOT NULL CHECK (octet_length(code_hash) = 32),
        failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        voided_at timestamptz,
        CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`
      CREATE INDEX password_resets_user_live_idx ON identity.password_resets (user_id, created_at DESC)
      WHERE used_at IS NULL AND voided_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.password_resets`);
    await q.query(`DROP TABLE identity.email_verifications`);
    await q.query(`ALTER TABLE identity.users DROP COLUMN email_verified_at`);
  }
}
