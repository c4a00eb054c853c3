// `npm run bench:gateway`: the Meridian BFFs against bare `@apollo/gateway` and Hive Gateway on
// the Rust query planner, on one supergraph of four small subgraphs (users, accounts,
// transactions, insights; in-memory data answered per user) and one dashboard query that
// touches all four.
//
// Starts the four subgraphs, composes their supergraph, then for each scenario (one user at 50
// connections, 500 users in turn at 50, one user at 10) starts each target afresh in a process
// of its own, warms it up, runs the load three times and keeps the medians: requests per
// second, p50/p99, the target's CPU per request, subgraph requests per request and its peak
// resident memory, with every response's data checked against what that user must get.
// Writes bench/results/gateway-<date>.json and .md with the ratios of each BFF to each anchor
// and the aims. The BFFs run as production runs them: trusted documents only, tokens verified
// against a JWKS, the Redis rate limiter when REDIS_URL (default redis://127.0.0.1:6379)
// answers (under a key prefix of its own, removed afterwards), else the memory one.
//
// Exits 1 when any response was wrong or failed; the results are written either way.
//
// Options: --quick (1 s warm-up, one run of 3 s: a smoke run, never written), --seconds=N per
// run (default 10), --warmup=N (default 5), --runs=N (default 3), --scenarios=one-user,many-users,one-user-10,
// --targets=apollo-gateway,hive,hive-no-merge,bff-mobile,bff-mobile-no-cache,bff-mobile-engine,bff-web (the mobile BFF
// with its response cache off, and with its merging and cache off: the engine alone), --users=N (many-users; default 500),
// --log-level=info (the BFFs'), --label=NAME (results to gateway-<date>-NAME), --no-write, and the diagnostic --cpu-prof=bff-mobile (those targets
// run under V8's sampling profiler; the .cpuprofile files are kept with the logs, and a summary of the
// measured runs with folded stacks for a flame graph goes to bench/results/gateway-<date>-profile-*;
// such a run writes no other results).
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKeySet, generatePrivateJwk, issueAccessToken, removeRedisKeys } from '@meridian/platform';
import { documentIdOf } from '@meridian/bff-core';
import { generateKeyEnv } from '../deploy/key-env';
import { packageVersion, redisVersion, targetEnv } from './gateway-env';
import { composeBenchSupergraph, DASHBOARD_QUERY, expectedDashboard, SUBGRAPHS, userId, type SubgraphName } from './gateway-graph';
import { runLoad, type LoadOutcome } from './gateway-load';
import { parseOptions } from './gateway-options';
import { writeProfile } from './gateway-profile';
import { aims, logLine, markdown, medianRun, ratios, type GatewayReport, type RunMetrics, type TargetResult } from './gateway-report';
import { cpuMs, memoryMb, settledSubgraphRequests, startProcess, type BenchProcess } from './gateway-stack';
import { revision, round, writeAtomically } from './ledger-report';
import { machineCpuSeconds } from './payments-probes';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadBefore = os.loadavg().map((n) => round(n));
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = await redisVersion(redisUrl);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-bench-gateway-'));
  const prefix = `meridian-bench:${randomBytes(4).toString('hex')}:`;
  const processes: BenchProcess[] = [];
  let cleaned: Promise<void> | undefined;
  let broken = true;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      for (const p of [...processes].reverse()) await p.stop();
      if (redis) await removeRedisKeys(redisUrl, prefix).catch((err: unknown) => console.error('Could not remove the Redis keys:', err));
      const profiled = options.profile.length > 0;
      if (broken || profiled) console.error(`The processes' logs${profiled ? ' and profiles' : ''} are in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    })());
  process.once('SIGINT', () => {
    console.error('\nInterrupted; stopping the servers.');
    void cleanUp().finally(() => process.exit(130));
  });
  try {
    console.log(`Gateway benchmark: ${options.targets.join(', ')}; rate limiter ${redis ? `Redis ${redis}` : 'memory (Redis did not answer)'}`);
    // Tokens as identity signs them; the users subgraph publishes the key as identity's JWKS.
    const identityKey = await createKeySet([await generatePrivateJwk()]);
    const keys = await generateKeyEnv();
    // The processes get the caller's PATH and the like, never its Redis or database.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !['REDIS_URL', 'DATABASE_URL', 'NODE_ENV', 'LOG_LEVEL'].includes(e[0])),
    );
    const subgraphEnv = { ...inherited, NODE_ENV: 'production', BENCH_JWKS: JSON.stringify(identityKey.jwks()) };
    const subgraphs: BenchProcess[] = [];
    for (const name of SUBGRAPHS) {
      const p = await startProcess(`subgraph:${name}`, { env: subgraphEnv, dir });
      processes.push(p);
      subgraphs.push(p);
    }
    const urls = Object.fromEntries(SUBGRAPHS.map((name, i) => [name, `${subgraphs[i].url}/graphql`])) as Record<SubgraphName, string>;
    const supergraphFile = path.join(dir, 'supergraph.graphql');
    fs.writeFileSync(supergraphFile, composeBenchSupergraph(urls));

    const userCount = Math.max(...options.scenarios.map((s) => s.users));
    const issuer = 'https://identity.meridian.local';
    const audience = 'meridian-api';
    const users: { token: string; expectedData: string }[] = [];
    for (let i = 0; i < userCount; i++) {
      const { token } = await issueAccessToken(identityKey, { issuer, audience }, {
        userId: userId(i),
        sessionId: randomUUID(),
        roles: ['CUSTOMER'],
        scopes: ['profile', 'accounts', 'payments', 'kyc', 'insights'],
        ttlSeconds: 3_600,
      });
      users.push({ token: `Bearer ${token}`, expectedData: JSON.stringify(expectedDashboard(userId(i))) });
    }

    // Everything a target may read; the BFFs get the production configuration on top.
    const base: Record<string, string> = {
      ...keys,
      NODE_ENV: 'production',
      LOG_LEVEL: options.logLevel,
      HOST: '127.0.0.1',
      DATA_DIR: path.join(dir, 'data'),
      OBJECT_STORE_DIR: path.join(dir, 'objects'),
      ...(redis ? { REDIS_URL: redisUrl } : {}),
      RATE_LIMIT_KEY_PREFIX: prefix,
      IDENTITY_JWKS_URL: `${subgraphs[0].url}/.well-known/jwks.json`,
      ACCESS_TOKEN_ISSUER: issuer,
      ACCESS_TOKEN_AUDIENCE: audience,
      // Raised so that no request is refused: the limiter still counts every one.
      RATE_LIMIT_CUSTOMER: '10000000',
      COST_BUDGET_CUSTOMER: '10000000',
      COST_RESTORE_CUSTOMER: '10000000',
      BENCH_SUPERGRAPH_FILE: supergraphFile,
      BENCH_SUBGRAPH_URLS: JSON.stringify(urls),
    };

    const results: TargetResult[] = [];
    for (const scenario of options.scenarios) {
      for (const target of options.targets) {
        const bff = target.startsWith('bff-');
        const body = bff ? JSON.stringify({ documentId: documentIdOf(DASHBOARD_QUERY) }) : JSON.stringify({ query: DASHBOARD_QUERY });
        const spawned = Date.now();
        const profiled = options.profile.includes(target);
        const p = await startProcess(target, { env: { ...inherited, ...targetEnv(target, base) }, dir, profile: profiled, tag: scenario.name });
        processes.push(p);
        let runsStarted = Date.now();
        try {
          // Let start-up settle before reading its memory.
          await new Promise((resolve) => setTimeout(resolve, 500));
          const idleRssMb = memoryMb(p.pid).rss;
          const spec = { url: `${p.url}/graphql`, body, users: users.slice(0, scenario.users), connections: scenario.connections };
          const warmup = await runLoad({ ...spec, seconds: options.warmup || 0.5 });
          const runs: RunMetrics[] = [];
          const samples = [...warmup.samples];
          runsStarted = Date.now();
          for (let run = 0; run < options.runs; run++) {
            // Read once what the window before left in flight has finished, and again after this window's has.
            const snapshot = async () => ({ subgraphRequests: await settledSubgraphRequests(subgraphs), cpu: cpuMs(p.pid), subgraphCpu: subgraphs.reduce((s, g) => s + cpuMs(g.pid), 0) });
            const before = { ...(await snapshot()), load: process.cpuUsage(), machine: machineCpuSeconds() };
            const load: LoadOutcome = await runLoad({ ...spec, seconds: options.seconds });
            const machine = machineCpuSeconds();
            const after = { ...(await snapshot()), load: process.cpuUsage(before.load), machine };
            samples.push(...load.samples);
            // Per request sent: the ones still in flight when the window closed were served all the same.
            const n = Math.max(1, load.sent);
            runs.push({
              requestsPerSecond: round(load.requestsPerSecond, 1),
              p50Ms: load.latencyMs.p50,
              p90Ms: load.latencyMs.p90,
              p99Ms: load.latencyMs.p99,
              maxMs: load.latencyMs.max,
              cpuMsPerRequest: round((after.cpu - before.cpu) / n, 3),
              subgraphRequestsPerRequest: round((after.subgraphRequests - before.subgraphRequests) / n, 3),
              subgraphCpuMsPerRequest: round((after.subgraphCpu - before.subgraphCpu) / n, 3),
              loadCpuMsPerRequest: round((after.load.user + after.load.system) / 1000 / n, 3),
              machineBusy:
                before.machine && after.machine ? round((after.machine.busy - before.machine.busy) / Math.max(0.001, after.machine.total - before.machine.total), 3) : Number.NaN,
              ok: load.ok,
              wrong: load.wrong,
              failed: load.failed,
            });
          }
          const result: TargetResult = {
            scenario: scenario.name,
            target,
            users: scenario.users,
            connections: scenario.connections,
            idleRssMb: round(idleRssMb, 1),
            peakRssMb: round(memoryMb(p.pid).peak, 1),
            warmup: { ok: warmup.ok, wrong: warmup.wrong, failed: warmup.failed },
            runs,
            median: medianRun(runs),
            samples: samples.slice(0, 3),
          };
          results.push(result);
          console.log(logLine(result));
          for (const sample of result.samples) console.log(`    ${sample}`);
        } finally {
          await p.stop();
          processes.splice(processes.indexOf(p), 1);
        }
        if (profiled) writeProfile(dir, p.pid, `${scenario.name}-${target}`, runsStarted - spawned, options.writeProfiles);
      }
    }

    const wrong = results.some((r) => r.warmup.wrong || r.warmup.failed || r.runs.some((x) => x.wrong || x.failed));
    const date = new Date().toISOString();
    const file = `bench/results/gateway-${date.slice(0, 10)}${options.label ? `-${options.label}` : ''}.json`;
    const report: GatewayReport = {
      date,
      label: options.label,
      file,
      revision: revision(),
      host: os.hostname(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      loadAverage: { before: loadBefore, after: os.loadavg().map((n) => round(n)) },
      node: process.version,
      versions: Object.fromEntries(
        ['@apollo/gateway', '@apollo/server', '@graphql-hive/gateway-runtime', '@graphql-hive/router-runtime', '@graphql-hive/router-query-planner', 'autocannon'].map((name) => [name, packageVersion(name)]),
      ),
      limiter: redis ? `Redis ${redis}` : 'memory',
      logLevel: options.logLevel,
      warmupSeconds: options.warmup,
      secondsPerRun: options.seconds,
      runs: options.runs,
      scenarios: options.scenarios,
      results,
      ratios: ratios(results),
      aims: aims(results),
    };
    for (const aim of report.aims) console.log(`  aim: ${aim.aim}: ${aim.measured} (${aim.met ? 'met' : 'missed'})`);
    broken = wrong;
    if (options.write) {
      fs.mkdirSync(path.resolve(__dirname, 'results'), { recursive: true });
      writeAtomically(path.resolve(__dirname, '..', file), `${JSON.stringify(report, null, 2)}\n`);
      writeAtomically(path.resolve(__dirname, '..', file.replace(/\.json$/, '.md')), markdown(report));
      console.log(`Wrote ${file} and ${file.replace(/\.json$/, '.md')}`);
    }
  } finally {
    await cleanUp();
  }
  if (broken) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
