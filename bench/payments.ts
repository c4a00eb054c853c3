// `npm run bench:payments`: P2P payments per second end to end through the mobile BFF, on a real
// PostgreSQL and Redis, with the share of time each hop takes.
//
// Creates its own database `meridian_bench_<random>` on DATABASE_URL's server (default
// postgres://postgres@127.0.0.1:5432/test) and uses REDIS_URL (default redis://127.0.0.1:6379)
// under a key prefix of its own. Starts identity, banking, payments, the gateway server and the
// mobile BFF, each in a process of its own as a production deployment runs them, then sends
// payments at concurrency 16 for a warm-up and a measured window through each front in turn:
// the mobile BFF (the app's path) in one request (createPayment with `confirm: true`) and in two
// (create, then confirm), the gateway server, and payments itself (with the gateway's service
// token), so the BFF and gateway's cost shows side by side. Afterwards it checks the
// payments against the ledger, runs LedgerVerifier, writes bench/results/payments-<date>.json
// and .md, stops the servers, drops the database and removes its Redis keys, even when
// interrupted. Never runs on the embedded PGlite, which executes one statement at a time and
// would measure nothing useful.
//
// Exits 1 when a payment fails or ends other than SUCCEEDED, the payments and the ledger
// disagree, the ledger does not verify, or the mobile BFF misses the aim (300 payments/s);
// the results are written either way.
//
// Options: --seconds=N per front (default 30), --warmup=N seconds (default 5),
// --concurrency=N (default 16), --fronts=bff,bff-two-step,gateway,direct, --payers=N (default: enough for
// 450 payments/s on every front), --recipients=N (default 200), --log-level=info (the
// servers'), --no-write, and the diagnostic --cpu-prof=payments,bff-mobile (those servers run under
// V8's sampling profiler, their .cpuprofile kept with the logs; such a run never writes results).
import os from 'node:os';
import type { Client } from 'pg';
import { closeDataSource } from '@meridian/platform';
import { createBankingDataSource, LedgerVerifier } from '@meridian/banking';
import { runOnServices } from './admin';
import { accessTokens, createFixtures, PAYMENTS_PER_PAYER } from './payments-fixtures';
import { hopReport } from './payments-hops';
import { PayerQueue, runLoad, viaMobileBff, viaServiceToken, type Front, type SendPayment } from './payments-load';
import { pidsNamed, postgresProcesses, sampleActivity, takeSnapshot } from './payments-probes';
import { AIM_PAYMENTS_PER_SECOND, logScenario, markdown, scenarioResult, type PaymentsCheck, type PaymentsReport, type ScenarioResult } from './payments-report';
import type { Role } from './payments-server';
import { startStack } from './payments-stack';

interface Options {
  seconds: number;
  warmup: number;
  concurrency: number;
  fronts: Front[];
  payers: number;
  recipients: number;
  logLevel: string;
  /** Diagnostic: servers to profile; such a run never writes results. */
  profile: Role[];
  write: boolean;
}

const FRONTS: readonly Front[] = ['bff', 'bff-two-step', 'gateway', 'direct'];

function parseOptions(argv: string[]): Options {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const seconds = Number(get('seconds') ?? 30);
  const warmup = Number(get('warmup') ?? 5);
  const fronts = (get('fronts') ?? FRONTS.join(',')).split(',') as Front[];
  // Enough payers for 1.5 × the aim on every front, each paying at most PAYMENTS_PER_PAYER times.
  const payers = Number(get('payers') ?? Math.ceil((1.5 * AIM_PAYMENTS_PER_SECOND * (seconds + warmup) * fronts.length) / PAYMENTS_PER_PAYER));
  const options: Options = {
    seconds,
    warmup,
    concurrency: Number(get('concurrency') ?? 16),
    fronts,
    payers,
    recipients: Number(get('recipients') ?? 200),
    logLevel: get('log-level') ?? 'info',
    profile: (get('cpu-prof')?.split(',') ?? []) as Role[],
    write: !argv.includes('--no-write') && !get('cpu-prof'),
  };
  if (!(options.seconds > 0) || !(options.warmup >= 0)) throw new Error('--seconds must be positive and --warmup not negative');
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error('--concurrency is a positive integer');
  if (options.fronts.length === 0 || options.fronts.some((f) => !FRONTS.includes(f))) throw new Error(`--fronts is a list of ${FRONTS.join(', ')}`);
  // The payer queue serves a window of 8 payers per worker.
  if (!Number.isInteger(options.payers) || options.payers < 8 * options.concurrency) throw new Error('--payers must be at least 8 × --concurrency');
  if (!Number.isInteger(options.recipients) || options.recipients < 1) throw new Error('--recipients is a positive integer');
  return options;
}


/** Payments against the ledger: each SUCCEEDED payment has exactly one hold, caused by it and posted. */
async function checkPayments(admin: Client, seenByClients: number): Promise<PaymentsCheck> {
  const { rows: statuses } = await admin.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM payments.payments GROUP BY status ORDER BY status`);
  const { rows } = await admin.query(`
    SELECT
      (SELECT count(*)::int FROM payments.payments WHERE status = 'SUCCEEDED') AS succeeded,
      (SELECT count(*)::int FROM payments.payments p JOIN banking.transfers h ON h.caused_by = 'payment:' || p.id
        WHERE p.status = 'SUCCEEDED') AS "holdsOfSucceeded",
      (SELECT count(*)::int FROM payments.payments p JOIN banking.transfers h ON h.caused_by = 'payment:' || p.id AND h.id = p.hold_transfer_id
        AND h.phase = 'PENDING' AND h.status = 'POSTED'
        JOIN banking.transfers post ON post.pending_id = h.id AND post.phase = 'POST_PENDING'
        WHERE p.status = 'SUCCEEDED') AS "postedHolds",
      (SELECT count(*)::int FROM banking.transfers WHERE caused_by LIKE 'payment:%') AS "paymentTransfers",
      (SELECT count(DISTINCT caused_by)::int FROM banking.transfers WHERE caused_by LIKE 'payment:%') AS "distinctPayments"`);
  const c = rows[0] as { succeeded: number; holdsOfSucceeded: number; postedHolds: number; paymentTransfers: number; distinctPayments: number };
  const ok = c.succeeded === seenByClients && c.holdsOfSucceeded === c.succeeded && c.postedHolds === c.succeeded && c.paymentTransfers === c.distinctPayments;
  return { byStatus: Object.fromEntries(statuses.map((s) => [s.status, s.n])), seenByClients, ...c, ok };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  await runOnServices('payments', { logLevel: options.logLevel, profile: options.profile }, 'Payments benchmark', async (run) => {
    const { stackSettings, redisUrl } = run;
    const url = new URL(run.databaseUrl);
    const fixtures = await createFixtures(stackSettings, options, (line) => console.log(`  ${line}`));
    const roles: Role[] = ['identity', 'banking', 'payments'];
    if (options.fronts.includes('gateway')) roles.push('gateway');
    if (options.fronts.some((f) => f.startsWith('bff'))) roles.push('bff-mobile');
    const stack = await startStack(stackSettings, roles);
    run.onCleanUp(() => stack.stop());
    console.log(`  started ${roles.map((r) => `${r} (pid ${stack.servers[r]!.pid})`).join(', ')}`);
    const servers = stack.servers;
    const admin = await run.connect();
    const sampler = await run.connect();
    // PostgreSQL's and Redis's CPU is read from /proc only when they run on this machine.
    const local = (host: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(host);
    const redisPids = local(new URL(redisUrl).hostname) ? pidsNamed('redis-server') : [];
    const queue = new PayerQueue(fixtures.payers, options.concurrency);
    let tokens = new Map<string, string>();
    const results: ScenarioResult[] = [];
    let seenByClients = 0;
    for (const front of options.fronts) {
      // Fresh tokens for every front: they live as long as identity's (10 minutes by default).
      tokens = await accessTokens(stackSettings, fixtures.payers.map((p) => p.userId));
      const send: SendPayment =
        front === 'bff' || front === 'bff-two-step'
          ? viaMobileBff(servers['bff-mobile']!.url, () => tokens, front === 'bff' ? 1 : 2)
          : front === 'gateway'
            ? await viaServiceToken(`${servers.gateway!.url}/graphql`, stackSettings.keys, 'bff-mobile', 'gateway', () => tokens)
            : await viaServiceToken(`${servers.payments!.url}/graphql`, stackSettings.keys, 'gateway', 'payments', () => tokens);
      const warmup = await runLoad(send, queue, fixtures.recipients, options.concurrency, options.warmup);
      const postgres = local(url.hostname) ? await postgresProcesses(admin, run.databaseName) : new Map<number, string>();
      const before = await takeSnapshot(servers, postgres, redisPids, admin, run.databaseName);
      // The sampler adds backends that connect during the window, whose CPU is then read too.
      const activity = sampleActivity(sampler, run.databaseName, local(url.hostname) ? postgres : new Map());
      const load = await runLoad(send, queue, fixtures.recipients, options.concurrency, options.seconds);
      const profile = activity.stop();
      const after = await takeSnapshot(servers, postgres, redisPids, admin, run.databaseName);
      seenByClients += warmup.succeeded + load.succeeded;
      const clientMs = load.latencies.reduce((a, b) => a + b, 0) / Math.max(1, load.latencies.length);
      const frontRole = front.startsWith('bff') ? 'bff-mobile' : front === 'gateway' ? 'gateway' : null;
      const hops = hopReport({ before, after, postgres, activity: profile, payments: load.succeeded, clientMs, front: frontRole, cores: os.cpus().length });
      results.push(scenarioResult(front, options.concurrency, load, warmup, hops));
      logScenario(results[results.length - 1]);
    }
    console.log(`  ${queue.used} of ${fixtures.payers.length * PAYMENTS_PER_PAYER} payer slots used`);

    const payments = await checkPayments(admin, seenByClients);
    const banking = createBankingDataSource(run.databaseUrl, 1);
    await banking.initialize();
    const ledger = await new LedgerVerifier(banking).verify().finally(() => closeDataSource(banking));
    console.log(
      `Verifier: ${ledger.ok ? 'ok' : 'MISMATCH'} (${ledger.transfers} transfers, ${ledger.postings} postings, ${ledger.accounts} accounts, ${ledger.durationMs} ms); ` +
        `payments ${JSON.stringify(payments.byStatus)}, ${payments.holdsOfSucceeded} holds for ${payments.succeeded} SUCCEEDED: ${payments.ok ? 'ok' : 'MISMATCH'}`,
    );
    if (ledger.mismatch) console.error(ledger.mismatch.message);

    const bff = results.find((r) => r.front === 'bff');
    const unexpected = results.some((r) => [r.errors, r.statuses, r.warmup.errors, r.warmup.statuses].some((c) => Object.keys(c).length > 0) || r.exhausted);
    const missed = bff !== undefined && bff.paymentsPerSecond < AIM_PAYMENTS_PER_SECOND;
    if (bff) console.log(`Aim: ${AIM_PAYMENTS_PER_SECOND} payments/s through the mobile BFF; measured ${bff.paymentsPerSecond}: ${missed ? 'MISSED' : 'met'}`);
    const header = run.header();
    const report: PaymentsReport = {
      ...header,
      processes: roles,
      logLevel: options.logLevel,
      payers: fixtures.payers.length,
      recipients: fixtures.recipients.length,
      paymentsPerPayer: PAYMENTS_PER_PAYER,
      warmupSeconds: options.warmup,
      secondsPerFront: options.seconds,
      aimPaymentsPerSecond: AIM_PAYMENTS_PER_SECOND,
      results,
      verification: {
        ledger: {
          ok: ledger.ok,
          transfers: ledger.transfers,
          postings: ledger.postings,
          accounts: ledger.accounts,
          durationMs: ledger.durationMs,
          mismatch: ledger.mismatch?.message ?? null,
        },
        payments,
      },
    };
    const broken = unexpected || !ledger.ok || !payments.ok;
    if (options.write) run.write(header, report, markdown(report));
    return { broken, failed: broken || missed };
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
