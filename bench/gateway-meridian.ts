// `npm run bench:gateway:meridian`: the mobile app's home screen through the mobile BFF on
// Meridian's own supergraph, in services mode, as the data grows tenfold: requests per second,
// p50/p99, and the SQL statements the servers send per request, which must not grow with the data.
//
// Creates its own database `meridian_bench_<random>` on DATABASE_URL's server (default
// postgres://postgres@127.0.0.1:5432/test) and uses REDIS_URL (default redis://127.0.0.1:6379)
// under a key prefix of its own. Registers 200 customers with three accounts each and writes a
// tenth of a year's history for each through the ledger, then starts identity, banking, KYC,
// payments, insights and the mobile BFF, each in a process of its own as a production deployment
// runs them, waits for insights to have followed the ledger's events, and measures (see
// bench/gateway-meridian-measure.ts). Then it writes the other nine tenths of the year (ten
// times the history) and measures again. Writes bench/results/gateway-meridian-<date>.json and
// .md, stops the servers, drops the database and removes its Redis keys, even when interrupted.
//
// Exits 1 when an answer was wrong or failed, or when the statements per request of any
// operation differ between the two sizes; the results are written either way.
//
// Options: --users=N (default 200), --connections=N (default 50, at most half the users),
// --seconds=N per run (default 10), --warmup=N (default 5), --runs=N (default 3), --log-level=info
// (the servers'), --quick (20 customers on 5 connections, 1 s of warm-up and one run of 3 s: a
// smoke run, never written), --no-write, and the diagnostic --no-count (the servers count no
// statements, to see what counting costs; such a run writes nothing and judges no constancy).
import type { Client } from 'pg';
import { runOnServices } from './admin';
import { accessTokens } from './payments-fixtures';
import { createCustomers, writeHistory, type DashboardCustomer } from './gateway-meridian-fixtures';
import { measurePass, type PassResult } from './gateway-meridian-measure';
import { markdown, verdict, type MeridianReport } from './gateway-meridian-report';
import { round } from './ledger-report';
import type { Role } from './payments-server';
import { startStack } from './payments-stack';

const ROLES: Role[] = ['identity', 'banking', 'kyc', 'payments', 'insights', 'bff-mobile'];
/** Read-model rows insights may be behind before more history is written: the event streams keep 100,000 entries. */
const MAX_LAG_ROWS = 30_000;

interface Options {
  users: number;
  connections: number;
  seconds: number;
  warmup: number;
  runs: number;
  logLevel: string;
  write: boolean;
  /** Count the servers' SQL statements (off only to see what counting costs). */
  count: boolean;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const quick = argv.includes('--quick');
  const options: Options = {
    users: Number(get('users') ?? (quick ? 20 : 200)),
    connections: Number(get('connections') ?? (quick ? 5 : 50)),
    seconds: Number(get('seconds') ?? (quick ? 3 : 10)),
    warmup: Number(get('warmup') ?? (quick ? 1 : 5)),
    runs: Number(get('runs') ?? (quick ? 1 : 3)),
    logLevel: get('log-level') ?? 'info',
    write: !argv.includes('--no-write') && !quick && !argv.includes('--no-count'),
    count: !argv.includes('--no-count'),
  };
  if (!Number.isInteger(options.users) || options.users < 2) throw new Error('--users is an integer of at least 2');
  // Customers take turns across the connections: with at least two per connection, no customer's screen is asked twice at once (the BFF would merge the fetches).
  if (!Number.isInteger(options.connections) || options.connections < 1 || options.connections * 2 > options.users) throw new Error('--connections is a positive integer, at most half of --users');
  if (!(options.seconds > 0) || !(options.warmup >= 0)) throw new Error('--seconds must be positive and --warmup not negative');
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs is a positive integer');
  return options;
}

/** Today in insights' time zone (its default, Europe/London), as YYYY-MM-DD. */
function insightsToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Waits until insights' read model holds at least `rows` transactions, telling how it goes; fails after `timeoutMs` without progress. */
async function readModelReaches(admin: Client, rows: number, progress: (line: string) => void, timeoutMs = 120_000): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const { rows: r } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM insights.transactions`);
    const n = r[0].n;
    if (n >= rows) return;
    if (n !== last) {
      if (last >= 0 && Math.floor(n / 10_000) !== Math.floor(last / 10_000)) progress(`insights has ${n} of ${rows} transactions`);
      last = n;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > timeoutMs) {
      throw new Error(`insights stopped at ${n} of ${rows} transactions (see the insights and banking logs)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What the database holds for the customers: the data the measured pass ran on. */
async function dataSize(admin: Client, customers: readonly DashboardCustomer[]) {
  const { rows } = await admin.query<{ postings: number; transactions: number }>(
    `SELECT (SELECT count(*)::int FROM banking.postings) AS postings, (SELECT count(*)::int FROM insights.transactions) AS transactions`,
  );
  const perCustomer = customers.map((c) => [...c.transfers.values()].reduce((s, t) => s + t.length, 0));
  return {
    customers: customers.length,
    transactionsPerCustomer: round(perCustomer.reduce((a, b) => a + b, 0) / customers.length, 1),
    currentAccountTransactionsPerCustomer: round(customers.reduce((s, c) => s + c.transfers.get(c.accounts.current.id)!.length, 0) / customers.length, 1),
    bankingPostings: rows[0].postings,
    insightsTransactions: rows[0].transactions,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const settings = {
    logLevel: options.logLevel,
    countStatements: options.count,
    extraEnv: {
      // Every request reaches the subgraphs: what is measured is the graph and its SQL, not the BFF's cache.
      RESPONSE_CACHE: 'false',
      // Raised so that no request is refused: the limiter still counts every one.
      RATE_LIMIT_CUSTOMER: '10000000',
      COST_BUDGET_CUSTOMER: '10000000',
      COST_RESTORE_CUSTOMER: '10000000',
    },
  };
  await runOnServices('gateway-meridian', settings, 'Meridian gateway benchmark', async (run) => {
    const { stackSettings } = run;
    const log = (line: string) => console.log(`  ${line}`);
    const today = insightsToday();
    const until = new Date(`${today}T12:00:00Z`);
    const customers = await createCustomers(stackSettings, options.users, log);
    const first = await writeHistory(stackSettings, customers, 1, { until, group: customers.length, progress: log });
    log(`pass 1: ${first.transfers} transfers (${first.skipped} left out) in ${round(first.seconds, 1)} s`);
    const stack = await startStack(stackSettings, ROLES);
    run.onCleanUp(() => stack.stop());
    log(`started ${ROLES.map((r) => `${r} (pid ${stack.servers[r]!.pid})`).join(', ')}`);
    const admin = await run.connect();
    const measure = async (label: string): Promise<PassResult> => {
      const tokens = await accessTokens(stackSettings, customers.map((c) => c.userId));
      return measurePass({ label, stack, customers, tokens, today, options, data: await dataSize(admin, customers), log });
    };

    // Statistics as autovacuum keeps them on a database that grew gradually; freshly written
    // tables have none, and the planner then reads a customer's whole history where an index would do.
    const settle = async (rows: number) => {
      await readModelReaches(admin, rows, log);
      await admin.query('ANALYZE');
    };
    let rows = first.readModelRows;
    await settle(rows);
    const passes = [await measure('1×')];
    const second = await writeHistory(stackSettings, customers, 2, {
      until,
      group: Math.max(1, Math.floor(MAX_LAG_ROWS / 600)),
      between: (written) => readModelReaches(admin, rows + written - MAX_LAG_ROWS, log),
      progress: log,
    });
    rows += second.readModelRows;
    log(`pass 2: ${second.transfers} transfers (${second.skipped} left out) in ${round(second.seconds, 1)} s`);
    await settle(rows);
    passes.push(await measure('10×'));

    const header = run.header();
    const report: MeridianReport = {
      ...header,
      processes: ROLES,
      logLevel: options.logLevel,
      connections: options.connections,
      warmupSeconds: options.warmup,
      secondsPerRun: options.seconds,
      runs: options.runs,
      history: { first, second },
      passes,
      verdict: verdict(passes),
    };
    if (options.count) console.log(`Statements per request: ${report.verdict.constant ? 'constant' : 'NOT constant'} (${report.verdict.summary})`);
    const broken = passes.some((p) => p.wrong > 0 || p.failed > 0);
    if (options.write) run.write(header, report, markdown(report));
    return { broken, failed: broken || (options.count && !report.verdict.constant) };
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
