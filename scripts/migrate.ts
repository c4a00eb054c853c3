// `npm run migrate`: applies every subgraph's migrations to DATABASE_URL (or the embedded database).
import { closeDataSource, initializeDataSource, loadBaseConfig, openDatabase } from '@meridian/platform';
import { createBankingDataSource } from '@meridian/banking';
import { createIdentityDataSource } from '@meridian/identity';
import { createInsightsDataSource } from '@meridian/insights';
import { createKycDataSource } from '@meridian/kyc';
import { createPaymentsDataSource } from '@meridian/payments';

const subgraphDataSources = [
  { name: 'identity', create: createIdentityDataSource },
  { name: 'banking', create: createBankingDataSource },
  { name: 'kyc', create: createKycDataSource },
  { name: 'payments', create: createPaymentsDataSource },
  { name: 'insights', create: createInsightsDataSource },
];

async function main(): Promise<void> {
  const config = loadBaseConfig();
  const database = await openDatabase(config);
  try {
    for (const { name, create } of subgraphDataSources) {
      const dataSource = create(database.url, 2);
      await initializeDataSource(dataSource, true);
      const applied = (await dataSource.query(`SELECT count(*)::int AS n FROM "${name}".migrations`)) as { n: number }[];
      console.log(`${name}: ${applied[0].n} migration(s) applied`);
      await closeDataSource(dataSource);
    }
  } finally {
    await database.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
