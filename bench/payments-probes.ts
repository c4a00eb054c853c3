// What the payments benchmark reads before and after a measured window, from what the stack
// already exposes: each server's Prometheus metrics (platform/src/server/metrics.ts), CPU time
// per process from /proc (Linux), PostgreSQL's own statistics, and a sampler of
// pg_stat_activity while the load runs.
import fs from 'node:fs';
import type { Client } from 'pg';
import type { Role } from './payments-server';
import type { RunningServer } from './payments-stack';

/** One Prometheus sample: a metric name, its labels and its value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const KEPT_METRICS = new Set(['http_server_request_duration_seconds_sum', 'http_server_request_duration_seconds_count', 'graphql_errors_total']);

/** Parses the Prometheus text format, keeping the request durations and GraphQL errors. */
export function parsePrometheus(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || !KEPT_METRICS.has(match[1])) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** A process's CPU time (user + system) in seconds from /proc/<pid>/stat, or undefined when it is gone or /proc is absent. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields that follow come after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The whole machine's CPU time in seconds from /proc/stat: busy (not idle, not waiting for I/O) and in all. */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: (total - idle - iowait) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** Processes whose command name is `name` (e.g. the Redis server), found once by walking /proc. */
export function pidsNamed(name: string): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * The PostgreSQL processes that work for the run: the backends connected to its database
 * (named by application_name, `meridian-<schema>` for each service's pool) and its
 * autovacuum workers, and the WAL writer, checkpointer and background writer, which serve
 * every database of the server.
 */
export async function postgresProcesses(admin: Client, database: string): Promise<Map<number, string>> {
  const { rows } = await admin.query<{ pid: number; app: string }>(
    `SELECT pid, CASE WHEN datname = $1 THEN coalesce(nullif(application_name, ''), backend_type) ELSE 'shared: ' || backend_type END AS app
     FROM pg_stat_activity
     WHERE (datname = $1 OR backend_type IN ('walwriter', 'checkpointer', 'background writer')) AND pid <> pg_backend_pid()`,
    [database],
  );
  return new Map(rows.map((r) => [r.pid, r.app]));
}

/** PostgreSQL's counters for the run's database: commits, and time spent running statements (PostgreSQL 14+). */
export async function databaseCounters(admin: Client, database: string): Promise<{ commits: number; activeMs: number | null }> {
  const { rows } = await admin.query(`SELECT * FROM pg_stat_database WHERE datname = $1`, [database]);
  const row = rows[0] as { xact_commit: string; active_time?: number | null };
  return { commits: Number(row.xact_commit), activeMs: row.active_time ?? null };
}

/** Everything read at one instant. */
export interface Snapshot {
  at: number;
  metrics: Partial<Record<Role, MetricSample[]>>;
  /** CPU seconds by process: `role:<role>`, `pg:<pid>`, `redis:<pid>`, `self`. */
  cpu: Map<string, number>;
  machine?: { busy: number; total: number };
  database: { commits: number; activeMs: number | null };
}

/** Reads every server's metrics, every watched process's CPU time, the machine's and PostgreSQL's counters. */
export async function takeSnapshot(
  servers: Partial<Record<Role, RunningServer>>,
  postgres: Map<number, string>,
  redisPids: readonly number[],
  admin: Client,
  database: string,
): Promise<Snapshot> {
  const metrics: Partial<Record<Role, MetricSample[]>> = {};
  await Promise.all(
    Object.values(servers).map(async (server) => {
      const res = await fetch(server.metricsUrl);
      metrics[server.role] = parsePrometheus(await res.text());
    }),
  );
  const cpu = new Map<string, number>();
  const put = (key: string, seconds: number | undefined) => seconds !== undefined && cpu.set(key, seconds);
  for (const server of Object.values(servers)) put(`role:${server.role}`, processCpuSeconds(server.pid));
  for (const pid of postgres.keys()) put(`pg:${pid}`, processCpuSeconds(pid));
  for (const pid of redisPids) put(`redis:${pid}`, processCpuSeconds(pid));
  const self = process.cpuUsage();
  cpu.set('self', (self.user + self.system) / 1e6);
  return { at: performance.now(), metrics, cpu, machine: machineCpuSeconds(), database: await databaseCounters(admin, database) };
}

/** What the sampler saw: per application, how often its backends were running a statement or holding a transaction open; what running ones waited on. */
export interface ActivityProfile {
  samples: number;
  /** Mean number of backends, by application_name, in each state. */
  byApp: Record<string, { active: number; idleInTransaction: number }>;
  /** Share of active backend samples by wait event (`CPU` when none). */
  waits: Record<string, number>;
}

/**
 * Samples pg_stat_activity for the run's database every `intervalMs` on a connection of its
 * own, skipping a tick while the previous query runs. Learns the pids of backends that
 * connect during the window, so their CPU time is read too.
 */
export function sampleActivity(client: Client, database: string, postgres: Map<number, string>, intervalMs = 100) {
  const byApp: Record<string, { active: number; idleInTransaction: number }> = {};
  const waits: Record<string, number> = {};
  let samples = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void client
      .query<{ pid: number; app: string; state: string | null; wait: string | null }>(
        `SELECT pid, coalesce(nullif(application_name, ''), backend_type) AS app, state,
                CASE WHEN wait_event IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [database],
      )
      .then(({ rows }) => {
        samples += 1;
        for (const row of rows) {
          if (!postgres.has(row.pid)) postgres.set(row.pid, row.app);
          const app = (byApp[row.app] ??= { active: 0, idleInTransaction: 0 });
          if (row.state === 'active') {
            app.active += 1;
            waits[row.wait ?? 'CPU'] = (waits[row.wait ?? 'CPU'] ?? 0) + 1;
          } else if (row.state?.startsWith('idle in transaction')) {
            app.idleInTransaction += 1;
          }
        }
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, intervalMs);
  return {
    stop(): ActivityProfile {
      clearInterval(timer);
      const activeSamples = Object.values(waits).reduce((a, b) => a + b, 0) || 1;
      const n = samples || 1;
      return {
        samples,
        byApp: Object.fromEntries(Object.entries(byApp).map(([app, c]) => [app, { active: c.active / n, idleInTransaction: c.idleInTransaction / n }])),
        waits: Object.fromEntries(Object.entries(waits).map(([wait, count]) => [wait, count / activeSamples])),
      };
    },
  };
}
