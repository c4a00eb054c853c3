// `npm run ledger:verify`: recomputes the banking ledger (hash chain, every balance
// from its postings, zero-sum currencies, customer limits) against DATABASE_URL, or
// the embedded database when it is unset, and prints the first mismatch.
// Exit codes: 0 verified, 1 mismatch, 2 could not verify (no ledger, database error).
// Options: --json prints the report as JSON; --batch-size=N rows per round trip.
import { closeDataSource, loadBaseConfig, openDatabase } from '@meridian/platform';
import { createBankingDataSource, LedgerVerifier, type LedgerVerificationReport } from '@meridian/banking';

function printReport(report: LedgerVerificationReport): void {
  const totals = Object.entries(report.totals)
    .map(([currency, total]) => `${currency} ${total}`)
    .join(', ');
  console.log(`Chain head: seq ${report.head.seq}, hash ${report.head.hash}`);
  const checked = `${report.transfers} transfers, ${report.postings} postings and ${report.accounts} accounts in ${report.durationMs} ms`;
  console.log(report.ok ? `Checked ${checked}` : `Stopped at the first mismatch, having checked ${checked}`);
  if (report.ok) {
    console.log(`Currency totals: ${totals || 'none'}`);
    console.log('Ledger verified: the chain and every balance match the postings.');
    return;
  }
  const m = report.mismatch!;
  console.log(`MISMATCH (${m.kind}): ${m.message}`);
  const where = [
    m.transferId && `transfer ${m.transferId}`,
    m.seq !== undefined && `seq ${m.seq}`,
    m.accountId && `account ${m.accountId}`,
    m.postingId && `posting ${m.postingId}`,
    m.currency && `currency ${m.currency}`,
    m.field && `field ${m.field}`,
  ].filter(Boolean);
  console.log(`  at       ${where.join(', ')}`);
  console.log(`  expected ${m.expected}`);
  console.log(`  found    ${m.found}`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const batchArg = args.find((a) => a.startsWith('--batch-size='));
  const batchSize = batchArg ? Number(batchArg.split('=')[1]) : undefined;
  const config = loadBaseConfig();
  const database = await openDatabase(config);
  const dataSource = createBankingDataSource(database.url, 1);
  try {
    // Only connects: verifying never creates or migrates anything.
    await dataSource.initialize();
    const [{ ledger }] = await dataSource.query(`SELECT to_regclass('banking.ledger_head') IS NOT NULL AS ledger`);
    if (!ledger) {
      console.error(`No banking ledger in this database (${database.kind}); start Meridian or run its migrations first.`);
      return 2;
    }
    const report = await new LedgerVerifier(dataSource).verify({ batchSize });
    if (args.includes('--json')) {
      console.log(JSON.stringify(report, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
    } else {
      printReport(report);
    }
    return report.ok ? 0 : 1;
  } finally {
    await closeDataSource(dataSource);
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
