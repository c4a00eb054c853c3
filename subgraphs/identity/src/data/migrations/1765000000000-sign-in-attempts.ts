import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed sign-ins per email address (by hash), for backoff and temporary locks. */
export class SignInAttempts1765000000000 implements MigrationInterface {
  name = 'SignInAttempts1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.sign_in_attempts (
        email_hash bytea PRIMARY KEY CHECK (octet_length(email_hash) = 32),
        failures integer NOT NULL CHECK (failures >= 0),
        last_attempt_at timestamptz NOT NULL,
        locked_until timestamptz,
        lockouts integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0)
      )`);
    // Stale counts are purged oldest first.
    await q.query(`CREATE INDEX sign_in_attempts_last_attempt_idx ON identity.sign_in_attempts (last_attempt_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.sign_in_attempts`);
  }
}
