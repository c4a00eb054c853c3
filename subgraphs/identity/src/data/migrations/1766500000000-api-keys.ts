import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys: a customer's keys for their own scripts, each found by a public
 * prefix and kept only as a SHA-256 of the whole key, with the scopes it was
 * given, its expiry, last use and revocation.
 */
export class ApiKeys1766500000000 implements MigrationInterface {
  name = 'ApiKeys1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.api_keys (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        prefix text NOT NULL CHECK (prefix ~ '^[0-9a-f]{16}$'),
        secret_hash bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
        scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
        last_used_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text,
        CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
        CONSTRAINT api_keys_revoked_reason CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
      )`);
    // A customer's keys, newest first; the live ones are counted against the limit.
    await q.query(`CREATE INDEX api_keys_user_idx ON identity.api_keys (user_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.api_keys`);
  }
}
