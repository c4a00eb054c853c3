/** Says once which adapters the suite runs on, so a green run on embedded adapters is never mistaken for one on real services. */
export default async function globalSetup(): Promise<void> {
  const db = process.env.DATABASE_URL ? `PostgreSQL (${new URL(process.env.DATABASE_URL).host})` : 'embedded PGlite';
  const kv = process.env.REDIS_URL ? `Redis (${new URL(process.env.REDIS_URL).host})` : 'in-memory key-value store';
  process.stdout.write(`\nMeridian tests on ${db} and ${kv}\n`);
}
