import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Second factors: TOTP authenticators (secret sealed), recovery codes (hashed),
 * one-time codes by email or SMS (hashed), sign-in challenges between the
 * password and the second factor (token hashed), the wrong-guess count per
 * user, and how each session authenticated (`amr`, `auth_time`).
 */
export class Mfa1766100000000 implements MigrationInterface {
  name = 'Mfa1766100000000';

  async up(q: QueryRunner): Promise<void> {
    // What a session's access tokens say about how the user authenticated; refreshes keep it.
    await q.query(`ALTER TABLE identity.sessions ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}'`);
    await q.query(`ALTER TABLE identity.sessions ADD COLUMN auth_time timestamptz`);
    await q.query(`UPDATE identity.sessions SET auth_time = created_at`);
    await q.query(`ALTER TABLE identity.sessions ALTER COLUMN auth_time SET NOT NULL`);
    // One authenticator per user: PENDING from enrolTotp until confirmTotp, then ACTIVE.
    await q.query(`
      CREATE TABLE identity.totp_factors (
        user_id uuid PRIMARY KEY REFERENCES identity.users (id),
        secret_sealed text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'ACTIVE')),
        last_counter bigint,
        created_at timestamptz NOT NULL,
        confirmed_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE identity.recovery_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id),
        code_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT recovery_codes_user_hash_key UNIQUE (user_id, code_hash)
      )`);
    // A sign-in whose password was right and whose second factor is awaited.
    await q.query(`
      CREATE TABLE identity.mfa_challenges (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id),
        token_hash text NOT NULL,
        device_id text,
        failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        completed_at timestamptz,
        CONSTRAINT mfa_challenges_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX mfa_challenges_expires_idx ON identity.mfa_challenges (expires_at)`);
    // Email and SMS codes, for a sign-in challenge or a session's step-up; one live code per purpose.
    await q.query(`
      CREATE TABLE identity.mfa_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id),
        purpose text NOT NULL CHECK (purpose IN ('SIGN_IN', 'STEP_UP')),
        subject_id uuid NOT NULL,
        channel text NOT NULL CHECK (channel IN ('EMAIL', 'SMS')),
        code_hash text NOT NULL,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT mfa_codes_subject_key UNIQUE (purpose, subject_id)
      )`);
    await q.query(`CREATE INDEX mfa_codes_expires_idx ON identity.mfa_codes (expires_at)`);
    // Wrong second-factor guesses per user within a window, across sign-ins and step-ups.
    await q.query(`
      CREATE TABLE identity.mfa_failures (
        user_id uuid PRIMARY KEY REFERENCES identity.users (id),
        failures integer NOT NULL CHECK (failures >= 0),
        window_started_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.mfa_failures`);
    await q.query(`DROP TABLE identity.mfa_codes`);
    await q.query(`DROP TABLE identity.mfa_challenges`);
    await q.query(`DROP TABLE identity.recovery_codes`);
    await q.query(`DROP TABLE identity.totp_factors`);
    await q.query(`ALTER TABLE identity.sessions DROP COLUMN auth_time`);
    await q.query(`ALTER TABLE identity.sessions DROP COLUMN amr`);
  }
}
