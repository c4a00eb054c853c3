// `npm run insights:rebuild`: rebuilds insights' read model from banking's ledger, read through
// banking's internal API (`GET /internal/ledger/history`) in chain order, through the same
// projection the ledger events go through. Customers' rules, budgets, goals and alerts are kept.
//
// Services mode (DATABASE_URL set): banking must answer at BANKING_INTERNAL_URL (default
// http://127.0.0.1:4202) and insights' database is DATABASE_URL; running insights servers may
// stay up (what they apply meanwhile is applied again, idempotently). Embedded mode: stop
// `npm start` first; banking then runs inside this script on the embedded database.
// Exit codes: 0 rebuilt, 2 could not rebuild.
import { createBankingServer, loadBankingConfig, type BankingServer } from '@meridian/banking';
import { createInsightsServer, loadInsightsConfig, rebuildReadModel } from '@meridian/insights';
import { createLogger, loadBaseConfig, openDatabase } from '@meridian/platform';
import { injectFetch } from '@meridian/platform/testing';

async function main(): Promise<number> {
  const base = loadBaseConfig();
  const logger = createLogger({ service: 'insights-rebuild', level: process.env.LOG_LEVEL ?? 'warn' });
  const database = await openDatabase(base);
  const env: NodeJS.ProcessEnv = { ...process.env, INSIGHTS_WORKERS: 'false', LEDGER_WORKERS: 'false', MIGRATE_ON_START: base.DATABASE_URL ? (process.env.MIGRATE_ON_START ?? 'false') : 'true' };
  let banking: BankingServer | undefined;
  try {
    // Embedded: nobody else holds the database, so banking answers from inside this process.
    if (database.kind === 'pglite') banking = await createBankingServer(loadBankingConfig(env), { databaseUrl: database.url, logger });
    const insights = await createInsightsServer(loadInsightsConfig({ ...env, SERVICE_SIGNING_KEYS: env.INSIGHTS_SERVICE_SIGNING_KEYS ?? env.SERVICE_SIGNING_KEYS ?? '' }), {
      databaseUrl: database.url,
      logger,
      fetch: banking ? injectFetch(banking.app) : undefined,
    });
    try {
      console.log(`Rebuilding insights from banking's ledger (${database.kind})…`);
      const report = await rebuildReadModel({ db: insights.dataSource, ledger: insights.ledger, projection: insights.projection, log: (line) => process.stdout.write(`\r${line}`) });
      process.stdout.write('\n');
      console.log(`Rebuilt: ${report.transfers} transfers (${report.changes} changes) for ${report.customers} customers in ${report.durationMs} ms.`);
      return 0;
    } finally {
      await insights.close();
    }
  } catch (err) {
    console.error(`Could not rebuild: ${(err as Error).message}`);
    return 2;
  } finally {
    await banking?.close();
    await database.stop();
  }
}

main().then((code) => process.exit(code));
