// What every benchmark does on the PostgreSQL server before and after its run: create and drop its
// own database, read the server's version and settings, with one short-lived admin connection;
// for those that run on Redis, read its version; and, for those that run Meridian's servers on
// both, the whole set-up and clean-up of a run (runOnServices).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { connectRedis, removeRedisKeys } from '@meridian/platform';
import { generateKeyEnv } from '../deploy/key-env';
import { revision, round, writeAtomically } from './ledger-report';
import type { StackSettings } from './payments-stack';

/** Runs `run` on a connection to `url` named `meridian-bench`, closed afterwards. */
export async function withAdmin<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'meridian-bench' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The server and its settings, refusing an embedded PGlite served over the wire. */
export async function inspectPostgres(base: string) {
  return withAdmin(base, async (admin) => {
    const { rows: v } = await admin.query<{ version: string }>(`SELECT version()`);
    if (/PGlite|emscripten/i.test(v[0].version)) {
      throw new Error(
        `${base} is an embedded PGlite (${v[0].version.slice(0, 40)}…): it runs one statement at a time, so the benchmark would measure its queue. Point DATABASE_URL at a real PostgreSQL.`,
      );
    }
    const { rows } = await admin.query(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method')`);
    const { rows: short } = await admin.query(`SHOW server_version`);
    return { version: `PostgreSQL ${String(short[0].server_version)}`, settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])) as Record<string, string> };
  });
}

/** Redis's version, refusing to run without Redis: the BFF's rate limits and the event bus run on it in production. */
export async function inspectRedis(url: string): Promise<string> {
  const { client } = await connectRedis({ url }).catch((err: unknown) => {
    throw new Error(`Redis at ${url} could not be reached (${(err as Error).message}); the benchmark runs on Redis as production does. Set REDIS_URL.`);
  });
  try {
    return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } finally {
    await client.quit().catch(() => undefined);
  }
}

/** The head of every services benchmark's report: when, on which revision, machine and services. */
export interface RunHeader {
  date: string;
  /** bench/results/<kind>-<date>.json; the Markdown beside it ends in .md. */
  file: string;
  revision: string;
  host: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadAverage: { before: number[]; after: number[] };
  node: string;
  postgres: string;
  settings: Record<string, string>;
  redis: string;
}

/** What a benchmark on real PostgreSQL and Redis gets from {@link runOnServices}. */
export interface ServicesRun {
  /** The run's own database, `meridian_bench_<random>` on DATABASE_URL's server. */
  databaseUrl: string;
  databaseName: string;
  redisUrl: string;
  /** For the servers: the run's database, Redis under a prefix of its own, generated keys, a directory for logs. */
  stackSettings: StackSettings;
  /** A connection to the run's database named `meridian-bench`, closed at clean-up. */
  connect(): Promise<Client>;
  /** Runs at clean-up, the last one registered first, before the database is dropped. */
  onCleanUp(step: () => Promise<unknown>): void;
  /** The report's head, taken now (the load average after the run included). */
  header(): RunHeader;
  /** Writes the report as `header.file` and its Markdown beside it. */
  write(header: RunHeader, report: object, markdownText: string): void;
}

/** How a benchmark's body ended: `broken` keeps the servers' logs (a wrong answer, a failed check); `failed` exits 1 (broken or an aim missed). */
export interface RunOutcome {
  broken: boolean;
  failed: boolean;
}

/**
 * Runs a benchmark on DATABASE_URL's PostgreSQL (default postgres://postgres@127.0.0.1:5432/test)
 * and REDIS_URL (default redis://127.0.0.1:6379): makes a database and a Redis key prefix of the
 * run's own, a temporary directory for the servers (`meridian-bench-<kind>-…`) and the deployment's
 * keys, then afterwards, even when interrupted or failed, runs the clean-up steps, drops the
 * database and removes the keys. The directory is kept, and named, when the run broke, threw or
 * was profiled. Exits 1 when the body says it failed.
 */
export async function runOnServices(
  kind: string,
  settings: Pick<StackSettings, 'logLevel' | 'profile' | 'countStatements' | 'extraEnv'>,
  intro: string,
  body: (run: ServicesRun) => Promise<RunOutcome>,
): Promise<void> {
  const base = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const databaseName = `meridian_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${databaseName}`;
  const loadBefore = os.loadavg().map((n) => round(n));
  const { version, settings: pgSettings } = await inspectPostgres(base);
  const redis = await inspectRedis(redisUrl);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `meridian-bench-${kind}-`));
  const stackSettings: StackSettings = {
    ...settings,
    databaseUrl: url.toString(),
    redisUrl,
    keys: await generateKeyEnv(),
    redisPrefix: `meridian-bench:${randomBytes(4).toString('hex')}:`,
    dir,
  };
  await withAdmin(base, (admin) => admin.query(`CREATE DATABASE "${databaseName}"`));
  const steps: (() => Promise<unknown>)[] = [];
  let outcome: RunOutcome = { broken: true, failed: true };
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      for (const step of steps.reverse()) await step().catch((err: unknown) => console.error('A clean-up step failed:', err));
      await withAdmin(base, (admin) => admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)).catch((err: unknown) => console.error(`Could not drop ${databaseName}:`, err));
      await removeRedisKeys(redisUrl, stackSettings.redisPrefix).catch((err: unknown) => console.error('Could not remove the Redis keys:', err));
      const profiled = (settings.profile?.length ?? 0) > 0;
      if (outcome.broken || profiled) console.error(`The servers' logs${profiled ? ' and profiles' : ''} are in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    })());
  process.once('SIGINT', () => {
    console.error('\nInterrupted; stopping the servers and dropping the benchmark database.');
    void cleanUp().finally(() => process.exit(130));
  });
  const run: ServicesRun = {
    databaseUrl: url.toString(),
    databaseName,
    redisUrl,
    stackSettings,
    async connect() {
      const client = new Client({ connectionString: url.toString(), application_name: 'meridian-bench' });
      await client.connect();
      steps.push(() => client.end());
      return client;
    },
    onCleanUp: (step) => void steps.push(step),
    header() {
      const date = new Date().toISOString();
      return {
        date,
        file: `bench/results/${kind}-${date.slice(0, 10)}.json`,
        revision: revision(),
        host: os.hostname(),
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: round(os.totalmem() / 2 ** 30, 1),
        loadAverage: { before: loadBefore, after: os.loadavg().map((n) => round(n)) },
        node: process.version,
        postgres: version,
        settings: pgSettings,
        redis,
      };
    },
    write(header, report, markdownText) {
      fs.mkdirSync(path.resolve(__dirname, 'results'), { recursive: true });
      writeAtomically(path.resolve(__dirname, '..', header.file), `${JSON.stringify(report, null, 2)}\n`);
      writeAtomically(path.resolve(__dirname, '..', header.file.replace(/\.json$/, '.md')), markdownText);
      console.log(`Wrote ${header.file} and ${header.file.replace(/\.json$/, '.md')}`);
    },
  };
  try {
    console.log(`${intro} on ${version} (${base.replace(/\/\/[^@]*@/, '//')}) and Redis ${redis}, database ${databaseName}`);
    outcome = await body(run);
  } finally {
    await cleanUp();
  }
  if (outcome.failed) process.exit(1);
}
