// `npm run bench:insights`: each dashboard aggregate for a customer with 100,000 transactions, on
// a real PostgreSQL. Creates its own database `meridian_bench_<random>` on DATABASE_URL's server
// (default postgres://postgres@127.0.0.1:5432/test), migrates insights' schema into it, fills the
// read model in SQL (the customer measured, and 199 others with 2,000 transactions each so the
// indexes must select), then times every aggregate the dashboard asks for (the service call: its
// SQL and the arithmetic in Node), warmed up, one after another. Writes
// bench/results/insights-<date>.json and .md, drops the database, and exits 1 when an aggregate's
// p95 misses the aim (50 ms).
//
// Options: --transactions=N for the customer (default 100000), --runs=N per aggregate (default
// 60), --no-write.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDataSource, initializeDataSource, type CurrencyCode } from '@meridian/platform';
import { createInsightsDataSource } from '@meridian/insights';
import type { DataSource } from 'typeorm';
import { LedgerReader } from '../subgraphs/insights/src/clients/ledger-reader';
import { AccountDirectory } from '../subgraphs/insights/src/services/accounts';
import { AlertStore } from '../subgraphs/insights/src/services/alert-store';
import { CashForecaster } from '../subgraphs/insights/src/services/cash-forecaster';
import { InsightsService } from '../subgraphs/insights/src/services/insights-service';
import { percentile, revision, round, writeAtomically } from './ledger-report';
import { withAdmin } from './admin';

/** p95 per aggregate the issue asks for. */
const AIM_P95_MS = 50;
const TODAY = new Date('2026-11-20T12:00:00Z');

interface Options {
  transactions: number;
  runs: number;
  write: boolean;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const options = { transactions: Number(get('transactions') ?? 100_000), runs: Number(get('runs') ?? 60), write: !argv.includes('--no-write') };
  if (!Number.isInteger(options.transactions) || options.transactions < 1_000) throw new Error('--transactions is an integer of at least 1000');
  if (!Number.isInteger(options.runs) || options.runs < 5) throw new Error('--runs is an integer of at least 5');
  return options;
}


/**
 * Fills the read model in one statement per customer: a salary and rent each month, ten
 * subscriptions, and everyday card spending at 60 merchants over the last ~3 years, with
 * amounts, categories and days spread by hashing the row number (no randomness in Node).
 */
async function fill(db: DataSource, userId: string, accountId: string, savingsId: string, count: number): Promise<void> {
  await db.query(`INSERT INTO insights.accounts (id, user_id, kind, type, currency, name) VALUES ($1, $3, 'CUSTOMER', 'CURRENT', 'GBP', 'Current'), ($2, $3, 'CUSTOMER', 'SAVINGS', 'GBP', 'Savings')`, [accountId, savingsId, userId]);
  await db.query(
    `WITH merchants AS (
       SELECT * FROM (VALUES
         (0, 'tesco', 'Tesco', 'FOOD_AND_DRINK_GROCERIES', 'FOOD_AND_DRINK'), (1, 'sainsburys', 'Sainsbury''s', 'FOOD_AND_DRINK_GROCERIES', 'FOOD_AND_DRINK'),
         (2, 'pret', 'Pret A Manger', 'FOOD_AND_DRINK_COFFEE', 'FOOD_AND_DRINK'), (3, 'costa', 'Costa Coffee', 'FOOD_AND_DRINK_COFFEE', 'FOOD_AND_DRINK'),
         (4, 'amazon', 'Amazon', 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES', 'GENERAL_MERCHANDISE'), (5, 'tfl', 'TfL', 'TRANSPORTATION_PUBLIC_TRANSIT', 'TRANSPORTATION'),
         (6, 'uber', 'Uber', 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES', 'TRANSPORTATION'), (7, 'deliveroo', 'Deliveroo', 'FOOD_AND_DRINK_RESTAURANT', 'FOOD_AND_DRINK'),
         (8, 'boots', 'Boots', 'MEDICAL_PHARMACIES_AND_SUPPLEMENTS', 'MEDICAL'), (9, 'odeon', 'Odeon', 'ENTERTAINMENT_TV_AND_MOVIES', 'ENTERTAINMENT'),
         (10, 'shell', 'Shell', 'TRANSPORTATION_GAS', 'TRANSPORTATION'), (11, 'ikea', 'IKEA', 'HOME_IMPROVEMENT_FURNITURE', 'HOME_IMPROVEMENT')
       ) AS m (n, key, name, category, primary_category)
     ),
     rows AS (
       SELECT g AS i, (abs(hashtext('d' || g)) % 1100) AS back, (abs(hashtext('m' || g)) % 60) AS m, 100 + abs(hashtext('a' || g)) % 9900 AS pence
       FROM generate_series(1, $4::int) AS g
     )
     INSERT INTO insights.transactions (transfer_id, account_id, user_id, status, amount, currency, booked_at, booked_on, code, description, mcc, merchant_key, merchant_name,
                                        auto_category, category, primary_category, category_source)
     SELECT gen_random_uuid(), $1, $2, CASE WHEN r.i % 97 = 0 THEN 'PENDING' ELSE 'POSTED' END, -r.pence, 'GBP',
            $3::timestamptz - make_interval(days => r.back), ($3::date - r.back), 'CARD_PAYMENT', upper(m.name) || ' ' || (r.m * 37) || ' LONDON GB', NULL,
            m.key || CASE WHEN r.m >= 12 THEN '-' || r.m ELSE '' END, m.name || CASE WHEN r.m >= 12 THEN ' ' || r.m ELSE '' END,
            m.category, m.category, m.primary_category, 'MERCHANT'
     FROM rows r JOIN merchants m ON m.n = r.m % 12`,
    [accountId, userId, TODAY.toISOString(), count],
  );
  // 36 months of salary and rent, and ten monthly subscriptions, on their days.
  await db.query(
    `INSERT INTO insights.transactions (transfer_id, account_id, user_id, status, amount, currency, booked_at, booked_on, code, description, merchant_key, merchant_name,
                                        auto_category, category, primary_category, category_source, own_transfer_with)
     SELECT gen_random_uuid(), $1, $2, 'POSTED', s.amount, 'GBP', d.day, d.day::date, s.code, s.name, s.key, s.name, s.category, s.category, s.primary_category, 'DEFAULT', NULL
     FROM generate_series(date_trunc('month', $3::timestamptz) - interval '35 months', $3::timestamptz, interval '1 month') AS d0 (month)
     CROSS JOIN (VALUES
       ('northwind', 'Northwind Analytics Salary', 345000, 'SALARY', 'INCOME_WAGES', 'INCOME', 24),
       ('harbour', 'Harbour Lettings Rent', -135000, 'STANDING_ORDER', 'RENT_AND_UTILITIES_RENT', 'RENT_AND_UTILITIES', 0),
       ('netflix', 'Netflix', -1099, 'CARD_PAYMENT', 'ENTERTAINMENT_TV_AND_MOVIES', 'ENTERTAINMENT', 4),
       ('spotify', 'Spotify', -1199, 'CARD_PAYMENT', 'ENTERTAINMENT_MUSIC_AND_AUDIO', 'ENTERTAINMENT', 11),
       ('puregym', 'PureGym', -3999, 'DIRECT_DEBIT', 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS', 'PERSONAL_CARE', 0),
       ('thames-water', 'Thames Water', -4150, 'DIRECT_DEBIT', 'RENT_AND_UTILITIES_WATER', 'RENT_AND_UTILITIES', 7),
       ('bt', 'BT', -3200, 'DIRECT_DEBIT', 'RENT_AND_UTILITIES_INTERNET_AND_CABLE', 'RENT_AND_UTILITIES', 17),
       ('giffgaff', 'giffgaff', -1200, 'DIRECT_DEBIT', 'RENT_AND_UTILITIES_TELEPHONE', 'RENT_AND_UTILITIES', 19),
       ('apple', 'Apple', -299, 'CARD_PAYMENT', 'GENERAL_SERVICES_OTHER_GENERAL_SERVICES', 'GENERAL_SERVICES', 21),
       ('octopus', 'Octopus Energy', -8500, 'DIRECT_DEBIT', 'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY', 'RENT_AND_UTILITIES', 14)
     ) AS s (key, name, amount, code, category, primary_category, dom)
     CROSS JOIN LATERAL (SELECT d0.month + make_interval(days => s.dom) AS day) AS d
     WHERE d.day <= $3::timestamptz`,
    [accountId, userId, TODAY.toISOString()],
  );
  await db.query(`INSERT INTO insights.budgets (user_id, category, currency, amount) VALUES ($1, 'FOOD_AND_DRINK', 'GBP', 60000), ($1, 'TRANSPORTATION', 'GBP', 20000), ($1, 'ENTERTAINMENT', 'GBP', 5000), ($1, 'FOOD_AND_DRINK_COFFEE', 'GBP', 4000), ($1, 'GENERAL_MERCHANDISE', 'GBP', 30000)`, [userId]);
  await db.query(`INSERT INTO insights.goals (id, user_id, name, target_amount, currency, target_date, account_id) VALUES ($1, $2, 'Lisbon', 300000, 'GBP', '2027-06-01', $3)`, [randomUUID(), userId, savingsId]);
  const alerts = new AlertStore();
  await alerts.raise(db, userId, Array.from({ length: 200 }, (_, i) => ({ type: 'UNUSUAL_SPENDING' as const, dedupeKey: `bench:${i}`, severity: 'INFO' as const, title: `Alert ${i}`, body: 'Benchmark alert.' })));
}

interface Measured {
  aggregate: string;
  runs: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  aimMet: boolean;
}

async function time(name: string, runs: number, call: () => Promise<unknown>): Promise<Measured> {
  for (let i = 0; i < 5; i += 1) await call();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const result = { aggregate: name, runs, p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), p99: round(percentile(samples, 99)), max: round(samples[samples.length - 1]) };
  console.log(`  ${name.padEnd(34)} p50 ${String(result.p50).padStart(7)} ms  p95 ${String(result.p95).padStart(7)} ms  p99 ${String(result.p99).padStart(7)} ms`);
  return { ...result, aimMet: result.p95 < AIM_P95_MS };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const base = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const name = `meridian_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const version = await withAdmin(base, async (admin) => {
    const { rows } = await admin.query<{ version: string }>(`SELECT version()`);
    if (/PGlite|emscripten/i.test(rows[0].version)) throw new Error(`${base} is an embedded PGlite: point DATABASE_URL at a real PostgreSQL.`);
    await admin.query(`CREATE DATABASE "${name}"`);
    return (await admin.query(`SHOW server_version`)).rows[0].server_version as string;
  });
  const db = createInsightsDataSource(url.toString(), 4);
  let failed = true;
  try {
    await initializeDataSource(db, true);
    const userId = randomUUID();
    const accountId = randomUUID();
    const savingsId = randomUUID();
    const t0 = performance.now();
    console.log(`Insights benchmark on PostgreSQL ${version}, database ${name}`);
    await fill(db, userId, accountId, savingsId, options.transactions);
    for (let i = 0; i < 199; i += 1) await fill(db, randomUUID(), randomUUID(), randomUUID(), 2_000);
    await db.query(`ANALYZE insights.transactions`);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM insights.transactions WHERE user_id = $1`, [userId]);
    const [{ all }] = await db.query(`SELECT count(*)::int AS all FROM insights.transactions`);
    console.log(`  filled ${n} transactions for the customer measured, ${all} in all, in ${round((performance.now() - t0) / 1000, 1)} s`);

    // Banking is never called: every account is in the read model already.
    const accounts = new AccountDirectory(new LedgerReader({ request: () => Promise.reject(new Error('banking is not part of this benchmark')) }));
    const insights = new InsightsService(db, accounts, 'Europe/London', () => TODAY);
    const forecaster = new CashForecaster(db, insights);
    const alerts = new AlertStore();
    const gbp: CurrencyCode = 'GBP';
    const results: Measured[] = [];
    results.push(await time('spendingByCategory (this month)', options.runs, () => insights.spendingByCategory(userId, { from: '2026-11-01', to: '2026-11-20' }, gbp)));
    results.push(await time('spendingByCategory (a year)', options.runs, () => insights.spendingByCategory(userId, { from: '2025-11-21', to: '2026-11-20' }, gbp)));
    results.push(await time('cashFlow months (12)', options.runs, () => insights.cashFlowMonths(userId, 12, gbp)));
    results.push(await time('cashFlow forecast (30 days)', options.runs, () => forecaster.forecast(userId, gbp)));
    results.push(await time('netWorth (a year, daily)', options.runs, () => insights.netWorth(userId, { from: '2025-11-21', to: '2026-11-20' })));
    results.push(await time('budgets (5)', options.runs, () => insights.budgets(userId)));
    results.push(await time('recurring (13 months)', options.runs, () => insights.recurring(userId)));
    results.push(await time('goals', options.runs, () => insights.goals(userId)));
    results.push(await time('alerts (first 20)', options.runs, () => alerts.page(db, userId, 20, null)));
    results.push(await time('account balanceHistory (30 days)', options.runs, () => insights.netWorth(userId, { from: '2026-10-22', to: '2026-11-20' }, accountId)));

    // Not a dashboard read: the detection the alert worker runs in the background after new transactions.
    const background = await time('recurring detection (background)', Math.max(5, Math.floor(options.runs / 4)), () => insights.refreshRecurring(userId));
    const missed = results.filter((r) => !r.aimMet);
    console.log(missed.length === 0 ? `Aim: every aggregate's p95 under ${AIM_P95_MS} ms: met` : `Aim: p95 under ${AIM_P95_MS} ms MISSED by ${missed.map((r) => r.aggregate).join(', ')}`);
    const date = new Date().toISOString();
    const report = {
      date,
      revision: revision(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: version,
      loadAverage: os.loadavg().map((x) => round(x)),
      customerTransactions: n,
      allTransactions: all,
      runsPerAggregate: options.runs,
      aimP95Ms: AIM_P95_MS,
      results,
      background: [background],
    };
    if (options.write) {
      const file = path.resolve(__dirname, 'results', `insights-${date.slice(0, 10)}`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeAtomically(`${file}.json`, `${JSON.stringify(report, null, 2)}\n`);
      writeAtomically(`${file}.md`, markdown(report));
      console.log(`Wrote bench/results/insights-${date.slice(0, 10)}.json and .md`);
    }
    failed = missed.length > 0;
  } finally {
    await closeDataSource(db).catch(() => undefined);
    await withAdmin(base, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch((err: unknown) => console.error(`Could not drop ${name}:`, err));
  }
  if (failed) process.exit(1);
}

function markdown(r: { date: string; revision: string; cpus: number; cpuModel: string; node: string; postgres: string; loadAverage: number[]; customerTransactions: number; allTransactions: number; runsPerAggregate: number; aimP95Ms: number; results: Measured[]; background: Measured[] }): string {
  return [
    '# Insights benchmark',
    '',
    `Run ${r.date} (revision ${r.revision}) by \`npm run bench:insights\` on ${r.cpus} × ${r.cpuModel}, Node ${r.node}, PostgreSQL ${r.postgres}; load average ${r.loadAverage[0]}.`,
    `One customer with ${r.customerTransactions} transactions over three years (card spending at 60 merchants, salary, rent and ten subscriptions), among ${r.allTransactions} transactions of 200 customers;`,
    `each aggregate is the service call the dashboard's field makes (its SQL and the arithmetic in Node), warmed up, then ${r.runsPerAggregate} runs one after another.`,
    '',
    '| aggregate | p50 ms | p95 ms | p99 ms | max ms | p95 under 50 ms |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...r.results.map((x) => `| ${x.aggregate} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} | ${x.aimMet ? 'yes' : 'no'} |`),
    '',
    `Aim: every aggregate's p95 under ${r.aimP95Ms} ms: ${r.results.every((x) => x.aimMet) ? 'met' : 'missed'}.`,
    '',
    'Work done in the background rather than when the dashboard asks (the recurring streams are detected by the alert worker',
    'after new transactions and stored; the dashboard reads what was stored, and detects again at most once a day):',
    '',
    '| work | p50 ms | p95 ms | max ms |',
    '| --- | ---: | ---: | ---: |',
    ...r.background.map((x) => `| ${x.aggregate} | ${x.p50} | ${x.p95} | ${x.max} |`),
    '',
    'Where the time goes: balances and net worth read the per-account daily balances a trigger keeps (a few rows per day);',
    'spending and cash flow scan the customer\'s days in range through the (user, day, category) index with the amounts included.',
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
