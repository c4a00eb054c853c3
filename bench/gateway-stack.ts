// The processes of the gateway benchmark (bench/gateway-server.ts), each started as the
// Dockerfile starts a server (`node --import tsx`), and what is read from them: CPU time and
// resident memory from /proc, and the subgraphs' request counts.
import fs from 'node:fs';
import path from 'node:path';
import { forkServer } from './bench-process';
import type { Role } from './gateway-server';

/** A process that listens. */
export interface BenchProcess {
  role: Role;
  pid: number;
  /** Its base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  /** Its stdout and stderr. */
  log: string;
  stop(): Promise<void>;
}

/** Options for {@link startProcess}. */
export interface StartOptions {
  /** Its whole environment: nothing of the caller's is added. */
  env: Record<string, string>;
  /** Where its log (and its CPU profile) go. */
  dir: string;
  /** Run it under V8's sampling profiler; the `.cpuprofile` lands in `dir` when it stops. */
  profile?: boolean;
  /** A suffix for the log's name, so the same role started again keeps its own log. */
  tag?: string;
}

/** Starts one process and waits until it listens. */
export async function startProcess(role: Role, options: StartOptions): Promise<BenchProcess> {
  const logName = `${role.replace(':', '-')}${options.tag ? `-${options.tag}` : ''}`;
  const server = await forkServer(path.join(__dirname, 'gateway-server.ts'), role, { env: options.env, dir: options.dir, profile: options.profile, logName });
  return { role, pid: server.pid, url: `http://127.0.0.1:${server.ready.port}`, log: server.log, stop: server.stop };
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** A process's CPU time (user + system) in ms, or NaN when /proc cannot tell. */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** A process's resident memory now (`VmRSS`) and at its highest so far (`VmHWM`), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** The GraphQL requests each subgraph has served so far, in all. */
export async function subgraphRequests(subgraphs: readonly BenchProcess[]): Promise<number> {
  let total = 0;
  for (const subgraph of subgraphs) {
    const response = await fetch(`${subgraph.url}/stats`);
    total += ((await response.json()) as { requests: number }).requests;
  }
  return total;
}

/**
 * Waits until the subgraphs have served nothing new for `quietMs` (the requests a closed load
 * window left in flight have finished), at most `maxMs`; returns their count then.
 */
export async function settledSubgraphRequests(subgraphs: readonly BenchProcess[], quietMs = 300, maxMs = 5_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let last = await subgraphRequests(subgraphs);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = await subgraphRequests(subgraphs);
    if (now === last || Date.now() > deadline) return now;
    last = now;
  }
}
