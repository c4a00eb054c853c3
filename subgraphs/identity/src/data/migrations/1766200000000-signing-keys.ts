import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The access-token signing keys identity has published and since when (the
 * database's clock, so every replica agrees): a new key signs only once it has
 * been published long enough for every verifier to have it, and a key taken out
 * of IDENTITY_SIGNING_KEYS stays published until the tokens it signed expire.
 */
export class SigningKeys1766200000000 implements MigrationInterface {
  name = 'SigningKeys1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.signing_keys (
        kid text PRIMARY KEY,
        public_jwk jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.signing_keys`);
  }
}
