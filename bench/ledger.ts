// `npm run bench:ledger`: ledger throughput and latency against a real PostgreSQL.
//
// Creates its own database `meridian_bench_<random>` on DATABASE_URL's server
// (default postgres://postgres@127.0.0.1:5432/test), opens 1,000 funded accounts,
// then runs single transfers between random pairs and 50-posting batch transfers
// at concurrency 1, 8 and 32, verifies the whole ledger, writes the results under
// bench/results/ and drops the database. Never runs on the embedded PGlite, which
// executes one statement at a time and would measure nothing useful.
//
// Exits 1 when a transfer fails, the ledger does not verify afterwards, or the best
// concurrency misses an aim (2,000 single transfers/s, 20,000 batched postings/s); the
// results are written either way.
//
// Options: --seconds=N per scenario (default 5), --accounts=N (default 1000),
// --batch-postings=N (even, 4..64, default 50), --concurrency=1,8,32, --no-write,
// --no-fsync-wait (diagnostic: synchronous_commit off in the benchmark database only,
// to show how much the commit's WAL flush costs; such a run never writes results),
// --max-batch=N and --batches-in-flight=N (the LedgerService's group commit: requests
// per transaction and transactions at once; --max-batch=1 runs one request per transaction),
// --no-compare (skip the side-by-side run, at the highest concurrency, of a ledger that runs
// every batch in a transaction on what it locks instead of writing it on its forecast).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { closeDataSource, initializeDataSource, uuidv7 } from '@meridian/platform';
import { AccountService, createBankingDataSource, LedgerService, LedgerVerifier, type LedgerServiceOptions, type PostingInput } from '@meridian/banking';
import { AIMS, aimOf, logResult, markdown, measured, percentile, revision, round, unitOf, writeAtomically, type ScenarioResult } from './ledger-report';
import { withAdmin } from './admin';

interface Options {
  seconds: number;
  accounts: number;
  batchPostings: number;
  concurrency: number[];
  write: boolean;
  noFsyncWait: boolean;
  compare: boolean;
  ledger: LedgerServiceOptions;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const options: Options = {
    seconds: Number(get('seconds') ?? 5),
    accounts: Number(get('accounts') ?? 1_000),
    batchPostings: Number(get('batch-postings') ?? 50),
    concurrency: (get('concurrency') ?? '1,8,32').split(',').map(Number),
    write: !argv.includes('--no-write') && !argv.includes('--no-fsync-wait'),
    noFsyncWait: argv.includes('--no-fsync-wait'),
    compare: !argv.includes('--no-compare'),
    ledger: {
      maxBatchSize: get('max-batch') === undefined ? undefined : Number(get('max-batch')),
      maxConcurrentBatches: get('batches-in-flight') === undefined ? undefined : Number(get('batches-in-flight')),
    },
  };
  if (!(options.seconds > 0)) throw new Error('--seconds must be positive');
  if (!Number.isInteger(options.accounts) || options.accounts < options.batchPostings) throw new Error('--accounts must be at least --batch-postings');
  if (options.batchPostings % 2 || options.batchPostings < 4 || options.batchPostings > 64) throw new Error('--batch-postings is even, 4 to 64');
  if (options.concurrency.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--concurrency is a list of positive integers');
  return options;
}

/** Picks `n` distinct indexes below `max`. */
function distinct(n: number, max: number): number[] {
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(Math.random() * max));
  return [...picked];
}


/** Opens the accounts and funds them from the clearing account, 63 per deposit. */
async function openAccounts(accounts: AccountService, ledger: LedgerService, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await accounts.openAccount({ ownerId: uuidv7(), type: 'CURRENT', currency: 'USD' })).id);
  }
  const clearing = await accounts.systemAccount('CLEARING', 'USD');
  const funding = 100_000_000n; // 1,000,000.00 each: the benchmark measures transfers, not refusals
  for (let i = 0; i < ids.length; i += 63) {
    const chunk = ids.slice(i, i + 63);
    await ledger.createTransfer({
      id: uuidv7(),
      code: 'DEPOSIT',
      postings: [
        { accountId: clearing.id, direction: 'DEBIT', amount: funding * BigInt(chunk.length), currency: 'USD' },
        ...chunk.map((id): PostingInput => ({ accountId: id, direction: 'CREDIT', amount: funding, currency: 'USD' })),
      ],
    });
  }
  return ids;
}

/** Runs `concurrency` workers issuing transfers for `seconds`, timing each call. */
async function runScenario(
  ledger: LedgerService,
  accountIds: string[],
  kind: 'single' | 'batch',
  concurrency: number,
  postingsPerTransfer: number,
  seconds: number,
  writes: ScenarioResult['writes'] = 'forecast',
): Promise<ScenarioResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const deadline = started + seconds * 1_000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const picks = distinct(postingsPerTransfer, accountIds.length);
      const half = postingsPerTransfer / 2;
      const postings: PostingInput[] = [];
      for (let i = 0; i < half; i++) {
        const amount = BigInt(1 + Math.floor(Math.random() * 1_000));
        postings.push({ accountId: accountIds[picks[i]], direction: 'DEBIT', amount, currency: 'USD' });
        postings.push({ accountId: accountIds[picks[half + i]], direction: 'CREDIT', amount, currency: 'USD' });
      }
      const t0 = performance.now();
      try {
        await ledger.createTransfer({ id: uuidv7(), code: kind === 'single' ? 'TRANSFER' : 'BATCH', postings });
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors += 1;
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1_000;
  if (firstError) console.error(`  ${errors} error(s), first:`, firstError instanceof Error ? firstError.message : firstError);
  latencies.sort((a, b) => a - b);
  return {
    kind,
    writes,
    concurrency,
    postingsPerTransfer,
    transfers: latencies.length,
    errors,
    seconds: round(elapsed),
    transfersPerSecond: round(latencies.length / elapsed, 1),
    postingsPerSecond: round((latencies.length * postingsPerTransfer) / elapsed, 1),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
  };
}

/** The rate a scenario's aim is about: transfers/s for single transfers, postings/s for batches. */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `meridian_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const maxConcurrency = Math.max(...options.concurrency);
  // Other work on the machine skews every number; the load average is recorded with them.
  const loadBefore = os.loadavg().map((n) => round(n));
  const { version, settings } = await withAdmin(base, async (admin) => {
    await admin.query(`CREATE DATABASE "${name}"`);
    if (options.noFsyncWait) await admin.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
    const { rows } = await admin.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method')`,
    );
    const { rows: v } = await admin.query(`SHOW server_version`);
    return { version: `PostgreSQL ${String(v[0].server_version)}`, settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])) };
  });
  let dataSource: DataSource | undefined;
  let failed = false;
  const drop = () =>
    withAdmin(base, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch((err: unknown) =>
      console.error(`Could not drop ${name}:`, err),
    );
  process.once('SIGINT', () => {
    console.error('\nInterrupted; dropping the benchmark database.');
    void drop().finally(() => process.exit(130));
  });
  try {
    console.log(`Ledger benchmark on ${version} (${base.replace(/\/\/[^@]*@/, '//')}), database ${name}`);
    dataSource = createBankingDataSource(url.toString(), maxConcurrency + 2);
    await initializeDataSource(dataSource, true);
    const accounts = new AccountService(dataSource);
    const ledger = new LedgerService(dataSource, options.ledger);
    const setupStarted = performance.now();
    const accountIds = await openAccounts(accounts, ledger, options.accounts);
    console.log(`Opened and funded ${accountIds.length} accounts in ${round((performance.now() - setupStarted) / 1_000)} s`);
    // A short warm-up so the first scenario does not pay for cold caches and pool connections.
    await runScenario(ledger, accountIds, 'single', maxConcurrency, 2, Math.min(1, options.seconds));
    const results: ScenarioResult[] = [];
    const kinds = [
      ['single', 2],
      ['batch', options.batchPostings],
    ] as const;
    for (const [kind, postings] of kinds) {
      for (const concurrency of options.concurrency) {
        results.push(await runScenario(ledger, accountIds, kind, concurrency, postings, options.seconds));
        logResult(results[results.length - 1]);
      }
    }
    if (options.compare) {
      // The same scenarios at the highest concurrency, on a ledger that never plans on its forecast.
      const locked = new LedgerService(dataSource, { ...options.ledger, forecast: false });
      for (const [kind, postings] of kinds) {
        results.push(await runScenario(locked, accountIds, kind, maxConcurrency, postings, options.seconds, 'locked'));
        logResult(results[results.length - 1]);
      }
    }
    const verification = await new LedgerVerifier(dataSource).verify();
    console.log(
      `Verifier: ${verification.ok ? 'ok' : 'MISMATCH'} (${verification.transfers} transfers, ${verification.postings} postings, ${verification.accounts} accounts, ${verification.durationMs} ms)`,
    );
    if (verification.mismatch) console.error(verification.mismatch.message);
    // The aims are for the best concurrency measured; the side-by-side runs do not count.
    let missed = false;
    for (const [kind] of kinds) {
      const best = Math.max(0, ...results.filter((r) => r.kind === kind && r.writes === 'forecast').map(measured));
      const aim = aimOf(kind);
      console.log(`Aim: ${aim} ${kind} ${unitOf(kind)}; best measured ${best}: ${best >= aim ? 'met' : 'MISSED'}`);
      missed ||= best < aim;
    }
    failed = !verification.ok || results.some((r) => r.errors > 0) || missed;
    const date = new Date().toISOString();
    const file = `bench/results/ledger-${date.slice(0, 10)}.json`;
    const report = {
      date,
      file,
      revision: revision(),
      host: os.hostname(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage: { before: loadBefore, after: os.loadavg().map((n) => round(n)) },
      node: process.version,
      postgres: version,
      settings,
      accounts: options.accounts,
      secondsPerScenario: options.seconds,
      aims: AIMS,
      results,
      verification: {
        ok: verification.ok,
        transfers: verification.transfers,
        postings: verification.postings,
        accounts: verification.accounts,
        durationMs: verification.durationMs,
        mismatch: verification.mismatch?.message ?? null,
      },
    };
    if (options.write) {
      const dir = path.resolve(__dirname, 'results');
      fs.mkdirSync(dir, { recursive: true });
      writeAtomically(path.resolve(__dirname, '..', file), `${JSON.stringify(report, null, 2)}\n`);
      writeAtomically(path.join(dir, 'ledger.md'), markdown(report, results, report.verification));
      console.log(`Wrote ${file} and bench/results/ledger.md`);
    }
  } finally {
    if (dataSource) await closeDataSource(dataSource);
    await drop();
  }
  if (failed) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
