// `npm run bench:memory`: how much memory the embedded `npm start` holds when idle. Runs
// `npm start` exactly as a user does (every server and the embedded PostgreSQL in one Node
// process, demo data seeded) on a new temporary DATA_DIR, on free ports, without
// DATABASE_URL or REDIS_URL; waits for "Meridian is running", then samples the server
// process's resident memory (VmRSS) every second for --idle-seconds; the idle figure is the
// median of the last ten samples. Then it opens the process's inspector (SIGUSR1) for the
// breakdown: V8 heap, the PGlite WebAssembly memory, array buffers, files, native rest.
// It stops the process (SIGTERM) and does it all again on the same DATA_DIR (a restart: no
// initdb, no seeding). Writes bench/results/embedded-memory-<date>.json and .md and exits 1
// when an idle figure is above 500 MB. Linux only (reads /proc).
//
// Options: --idle-seconds=N (default 60), --no-restart, --no-write.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_POSTGRES_SETTINGS } from '@meridian/platform';
import { breakDown, findNodeDescendant, readStatus, type MemoryBreakdown } from './embedded-memory-probe';
import { markdown, type MemoryReport } from './embedded-memory-report';
import { revision, round, writeAtomically } from './ledger-report';

/** Idle RSS the issue allows for the embedded `npm start`. */
export const LIMIT_MB = 500;
const REPO = path.resolve(__dirname, '..');
const READY_LINE = 'Meridian is running';
const PORT_VARIABLES = [
  'WEB_BFF_PORT',
  'WEB_BFF_METRICS_PORT',
  'MOBILE_BFF_PORT',
  'MOBILE_BFF_METRICS_PORT',
  'GATEWAY_PORT',
  'IDENTITY_PORT',
  'BANKING_PORT',
  'KYC_PORT',
  'PAYMENTS_PORT',
  'INSIGHTS_PORT',
];

interface Options {
  idleSeconds: number;
  restart: boolean;
  write: boolean;
}

/** One `npm start` measured. */
export interface StartMeasurement {
  label: 'first start' | 'restart';
  secondsToReady: number;
  rssAtReadyMb: number;
  /** Median VmRSS of the last ten idle samples: the figure held against the limit. */
  idleRssMb: number;
  idleMinMb: number;
  idleMaxMb: number;
  /** Every idle sample, one a second. */
  idleSamplesMb: number[];
  /** VmHWM: the most the process ever held, during migrations and seeding on a first start. */
  peakRssMb: number;
  threads: number;
  breakdown: MemoryBreakdown;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const options = { idleSeconds: Number(get('idle-seconds') ?? 60), restart: !argv.includes('--no-restart'), write: !argv.includes('--no-write') };
  if (!Number.isInteger(options.idleSeconds) || options.idleSeconds < 10) throw new Error('--idle-seconds is an integer of at least 10');
  return options;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Ports free right now, one per server, so a running `npm start` on the default ports does not matter. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function startEnv(dataDir: string, ports: number[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  PORT_VARIABLES.forEach((name, i) => (env[name] = String(ports[i])));
  // Only chooses the port SIGUSR1 opens the inspector on; nothing listens before the breakdown.
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --inspect-port=0`.trim();
  return env;
}

/** Collects a child's output lines and answers when one matches. */
function watchLines(child: ChildProcess) {
  const tail: string[] = [];
  const waiters: { pattern: RegExp; resolve: (match: RegExpExecArray) => void }[] = [];
  const seen = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(line);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(seen);
    });
  }
  return {
    tail: () => tail.join('\n'),
    wait(pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs / 1000} s; last output:\n${tail.join('\n')}`)), timeoutMs);
        const exited = () => reject(new Error(`npm start exited before ${what}; last output:\n${tail.join('\n')}`));
        child.once('exit', exited);
        waiters.push({
          pattern,
          resolve: (match) => {
            clearTimeout(timer);
            child.off('exit', exited);
            resolve(match);
          },
        });
      });
    },
  };
}

/** Stops the server as Ctrl+C would, and waits until it and npm are gone. */
async function stop(child: ChildProcess, serverPid: number | undefined): Promise<void> {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  const npmRunning = () => child.exitCode === null && child.signalCode === null;
  const running = () => npmRunning() || (serverPid !== undefined && readStatus(serverPid) !== undefined);
  // npm started its own process group (detached), which the server belongs to.
  signal(serverPid ?? -child.pid!, 'SIGTERM');
  for (let waited = 0; running() && waited < 30_000; waited += 100) await sleep(100);
  if (running()) signal(-child.pid!, 'SIGKILL');
  while (running()) await sleep(100);
}

async function measureStart(label: StartMeasurement['label'], dataDir: string, options: Options): Promise<StartMeasurement> {
  const ports = await freePorts(PORT_VARIABLES.length);
  const started = Date.now();
  const child = spawn('npm', ['start'], { cwd: REPO, env: startEnv(dataDir, ports), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines = watchLines(child);
  let serverPid: number | undefined;
  try {
    await lines.wait(new RegExp(READY_LINE), 10 * 60_000, `"${READY_LINE}"`);
    const secondsToReady = (Date.now() - started) / 1000;
    serverPid = findNodeDescendant(child.pid!, 'scripts/start.ts');
    if (!serverPid) throw new Error('cannot find the server process under npm');
    const rssAtReadyMb = readStatus(serverPid)?.rssMb ?? NaN;
    console.log(`${label}: ready in ${round(secondsToReady, 1)} s at ${round(rssAtReadyMb)} MB; idle for ${options.idleSeconds} s`);
    const samples: number[] = [];
    for (let second = 0; second < options.idleSeconds; second++) {
      await sleep(1_000);
      const status = readStatus(serverPid);
      if (!status) throw new Error(`the server exited while idle; last output:\n${lines.tail()}`);
      samples.push(status.rssMb);
    }
    const status = readStatus(serverPid)!;
    const idle = samples.slice(-10);
    const inspectorUrl = lines.wait(/Debugger listening on (ws:\/\/\S+)/, 30_000, 'inspector');
    inspectorUrl.catch(() => undefined); // awaited by breakDown; this only keeps a late rejection handled
    const breakdown = await breakDown(serverPid, async () => (await inspectorUrl)[1]);
    const measured: StartMeasurement = {
      label,
      secondsToReady,
      rssAtReadyMb,
      idleRssMb: median(idle),
      idleMinMb: Math.min(...idle),
      idleMaxMb: Math.max(...idle),
      idleSamplesMb: samples.map((n) => round(n, 1)),
      peakRssMb: status.peakRssMb,
      threads: status.threads,
      breakdown,
    };
    console.log(`${label}: idle ${round(measured.idleRssMb)} MB (peak ${round(measured.peakRssMb)} MB)`);
    return measured;
  } finally {
    await stop(child, serverPid);
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench:memory reads /proc: Linux only');
  const options = parseOptions(process.argv.slice(2));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-memory-'));
  const loadBefore = os.loadavg().map((n) => round(n));
  const starts: StartMeasurement[] = [];
  try {
    starts.push(await measureStart('first start', dataDir, options));
    if (options.restart) starts.push(await measureStart('restart', dataDir, options));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const date = new Date().toISOString();
  const file = `bench/results/embedded-memory-${date.slice(0, 10)}.json`;
  const passed = starts.every((s) => s.idleRssMb <= LIMIT_MB);
  const report: MemoryReport = {
    date,
    file,
    revision: revision(),
    host: os.hostname(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    loadAverage: { before: loadBefore, after: os.loadavg().map((n) => round(n)) },
    node: process.version,
    command: (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start,
    postgresSettings: EMBEDDED_POSTGRES_SETTINGS,
    idleSeconds: options.idleSeconds,
    limitMb: LIMIT_MB,
    starts,
    passed,
  };
  console.log(`Idle RSS: ${starts.map((s) => `${s.label} ${round(s.idleRssMb)} MB`).join(', ')}; limit ${LIMIT_MB} MB: ${passed ? 'met' : 'MISSED'}`);
  if (options.write) {
    fs.mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
    writeAtomically(path.join(REPO, file), `${JSON.stringify(report, null, 2)}\n`);
    writeAtomically(path.join(REPO, file.replace(/\.json$/, '.md')), markdown(report));
    console.log(`Wrote ${file} and ${file.replace(/\.json$/, '.md')}`);
  }
  if (!passed) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
