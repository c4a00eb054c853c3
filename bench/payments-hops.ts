// Where a payment's time goes, from two snapshots around a measured window (bench/payments-probes.ts):
// CPU time per process per payment, wall time per hop per payment from the servers' request
// duration histograms, and PostgreSQL's part from its statistics and the activity sampler.
import { round } from './ledger-report';
import type { ActivityProfile, MetricSample, Snapshot } from './payments-probes';
import type { Role } from './payments-server';

/** CPU spent by one process or group of processes during the window. */
export interface CpuShare {
  name: string;
  seconds: number;
  msPerPayment: number;
  /** Of all the CPU time the run's processes spent. */
  share: number;
}

/** Requests one server answered on one route during the window. */
export interface RouteTime {
  server: Role;
  route: string;
  perPayment: number;
  meanMs: number;
  msPerPayment: number;
  /** Answers with a status of 400 or more. */
  failed: number;
}

/** One hop's wall time per payment: in it and in what it called (inclusive), and in it alone (exclusive). */
export interface WallShare {
  hop: string;
  inclusiveMs: number;
  exclusiveMs: number;
  /** Of the mean latency of a payment as the client saw it. */
  share: number;
}

export interface HopReport {
  cpu: CpuShare[];
  cpuMsPerPayment: number;
  /** Payments per second the machine's cores could carry at this CPU cost per payment, were they the run's alone. */
  cpuCeilingPerSecond: number;
  machine: { cores: number; busyShare: number; otherWorkShare: number } | null;
  routes: RouteTime[];
  wall: WallShare[];
  postgres: {
    commitsPerPayment: number;
    /** pg_stat_activity samples taken during the window. */
    samples: number;
    /** pg_stat_database.active_time per payment: statements running in the run's database, summed over backends. */
    activeMsPerPayment: number | null;
    /** From the sampler: ms per payment each service's backends spent running a statement, and holding a transaction open between statements. */
    byService: { app: string; activeMs: number; idleInTransactionMs: number }[];
    /** Share of the running backends' samples by wait event; `CPU` is none. */
    waits: { wait: string; share: number }[];
  };
  /** GraphQL errors the servers counted, by server and code. */
  graphqlErrors: Record<string, Record<string, number>>;
}

const PROCESS_NAMES: Record<Role, string> = {
  'bff-mobile': 'mobile BFF (with the gateway in process)',
  gateway: 'gateway server',
  payments: 'payments',
  banking: 'banking',
  identity: 'identity',
  kyc: 'kyc',
  insights: 'insights',
};

/** The name a PostgreSQL process is reported under: the service whose pool opened it, or what it is. */
function postgresName(app: string): string {
  const service = /^meridian-(\w+)$/.exec(app)?.[1];
  const services: Record<string, string> = { bench: 'the benchmark (sampler, snapshots)', payments_jobs: "payments' job queue" };
  if (service) return `PostgreSQL for ${services[service] ?? service}`;
  if (app.startsWith('shared: ')) return 'PostgreSQL shared (WAL writer, checkpointer, background writer)';
  return `PostgreSQL other (${app})`;
}

function delta(before: Snapshot, after: Snapshot, key: string): number {
  const end = after.cpu.get(key);
  return end === undefined ? 0 : Math.max(0, end - (before.cpu.get(key) ?? 0));
}

function cpuShares(before: Snapshot, after: Snapshot, postgres: Map<number, string>, payments: number): CpuShare[] {
  const seconds = new Map<string, number>();
  const add = (name: string, s: number) => seconds.set(name, (seconds.get(name) ?? 0) + s);
  add('load generator (this process)', delta(before, after, 'self'));
  for (const key of after.cpu.keys()) {
    const [kind, id] = key.split(':');
    if (kind === 'role') add(PROCESS_NAMES[id as Role], delta(before, after, key));
    if (kind === 'pg') add(postgresName(postgres.get(Number(id)) ?? 'unknown'), delta(before, after, key));
    if (kind === 'redis') add('Redis (whole server, shared with other work)', delta(before, after, key));
  }
  const total = [...seconds.values()].reduce((a, b) => a + b, 0) || 1;
  return [...seconds.entries()]
    .map(([name, s]) => ({ name, seconds: round(s), msPerPayment: round((s * 1_000) / payments), share: round(s / total, 3) }))
    .sort((a, b) => b.seconds - a.seconds);
}

function sum(samples: MetricSample[] | undefined, name: string, match: (labels: Record<string, string>) => boolean): number {
  return (samples ?? []).filter((s) => s.name === name && match(s.labels)).reduce((a, s) => a + s.value, 0);
}

function routeTimes(before: Snapshot, after: Snapshot, payments: number): RouteTime[] {
  const out: RouteTime[] = [];
  for (const [role, samples] of Object.entries(after.metrics) as [Role, MetricSample[]][]) {
    const routes = new Set(samples.filter((s) => s.name === 'http_server_request_duration_seconds_count').map((s) => s.labels.route));
    for (const route of routes) {
      if (route === '/metrics' || route.startsWith('/health')) continue;
      const of = (snapshot: Snapshot, name: string, match: (l: Record<string, string>) => boolean = () => true) =>
        sum(snapshot.metrics[role], name, (l) => l.route === route && match(l));
      const count = of(after, 'http_server_request_duration_seconds_count') - of(before, 'http_server_request_duration_seconds_count');
      if (count <= 0) continue;
      const seconds = of(after, 'http_server_request_duration_seconds_sum') - of(before, 'http_server_request_duration_seconds_sum');
      const failedOf = (s: Snapshot) => of(s, 'http_server_request_duration_seconds_count', (l) => Number(l.status) >= 400);
      out.push({
        server: role,
        route,
        perPayment: round(count / payments),
        meanMs: round((seconds * 1_000) / count),
        msPerPayment: round((seconds * 1_000) / payments),
        failed: failedOf(after) - failedOf(before),
      });
    }
  }
  return out.sort((a, b) => b.msPerPayment - a.msPerPayment);
}

/**
 * Exclusive wall time per hop by subtraction along the chain client → front (BFF or gateway
 * server, when there is one) → payments → banking and identity: each hop's request time less
 * the time of the requests it made. Requests a server makes in parallel would be subtracted
 * twice; payments makes its calls one after another.
 */
function wallShares(routes: RouteTime[], front: Role | null, clientMs: number, postgres: HopReport['postgres']): WallShare[] {
  const of = (server: Role) => routes.filter((r) => r.server === server).reduce((a, r) => a + r.msPerPayment, 0);
  const payments = routes.filter((r) => r.server === 'payments' && r.route === '/graphql').reduce((a, r) => a + r.msPerPayment, 0);
  const banking = of('banking');
  const identity = of('identity');
  const frontMs = front ? of(front) : payments;
  const pgOf = (service: string) => postgres.byService.find((s) => s.app === `meridian-${service}`);
  const hops: Omit<WallShare, 'share'>[] = [
    { hop: 'client, network and load generator', inclusiveMs: clientMs, exclusiveMs: clientMs - frontMs },
    ...(front ? [{ hop: PROCESS_NAMES[front], inclusiveMs: frontMs, exclusiveMs: frontMs - payments }] : []),
    { hop: 'payments', inclusiveMs: payments, exclusiveMs: payments - banking - identity },
    { hop: 'banking', inclusiveMs: banking, exclusiveMs: banking },
    { hop: 'identity', inclusiveMs: identity, exclusiveMs: identity },
  ];
  for (const service of ['payments', 'banking', 'identity']) {
    const pg = pgOf(service);
    if (pg) hops.push({ hop: `  of which PostgreSQL running statements for ${service} (sampled)`, inclusiveMs: pg.activeMs, exclusiveMs: pg.activeMs });
  }
  return hops.map((h) => ({ hop: h.hop, inclusiveMs: round(h.inclusiveMs), exclusiveMs: round(h.exclusiveMs), share: round(h.exclusiveMs / clientMs, 3) }));
}

/** Computes the hop shares of a window in which `payments` payments completed with a mean latency of `clientMs`. */
export function hopReport(input: {
  before: Snapshot;
  after: Snapshot;
  postgres: Map<number, string>;
  activity: ActivityProfile;
  payments: number;
  clientMs: number;
  front: Role | null;
  cores: number;
}): HopReport {
  const { before, after, payments } = input;
  const n = Math.max(1, payments);
  const windowMs = after.at - before.at;
  const cpu = cpuShares(before, after, input.postgres, n);
  const cpuSeconds = cpu.reduce((a, c) => a + c.seconds, 0);
  const cpuMsPerPayment = (cpuSeconds * 1_000) / n;
  let machine: HopReport['machine'] = null;
  if (before.machine && after.machine) {
    const busy = after.machine.busy - before.machine.busy;
    const total = after.machine.total - before.machine.total || 1;
    machine = { cores: input.cores, busyShare: round(busy / total, 3), otherWorkShare: round(Math.max(0, busy - cpuSeconds) / total, 3) };
  }
  const postgres: HopReport['postgres'] = {
    commitsPerPayment: round((after.database.commits - before.database.commits) / n),
    samples: input.activity.samples,
    activeMsPerPayment:
      after.database.activeMs === null || before.database.activeMs === null ? null : round((after.database.activeMs - before.database.activeMs) / n),
    byService: Object.entries(input.activity.byApp)
      .map(([app, c]) => ({ app, activeMs: round((c.active * windowMs) / n), idleInTransactionMs: round((c.idleInTransaction * windowMs) / n) }))
      .sort((a, b) => b.activeMs - a.activeMs),
    waits: Object.entries(input.activity.waits)
      .map(([wait, share]) => ({ wait, share: round(share, 3) }))
      .sort((a, b) => b.share - a.share),
  };
  const routes = routeTimes(before, after, n);
  const graphqlErrors: HopReport['graphqlErrors'] = {};
  for (const [role, samples] of Object.entries(after.metrics) as [Role, MetricSample[]][]) {
    for (const s of samples.filter((x) => x.name === 'graphql_errors_total')) {
      const count = s.value - sum(before.metrics[role], 'graphql_errors_total', (l) => l.code === s.labels.code);
      if (count > 0) (graphqlErrors[role] ??= {})[s.labels.code] = count;
    }
  }
  return {
    cpu,
    cpuMsPerPayment: round(cpuMsPerPayment),
    cpuCeilingPerSecond: round((input.cores * 1_000) / cpuMsPerPayment, 1),
    machine,
    routes,
    wall: wallShares(routes, input.front, input.clientMs, postgres),
    postgres,
    graphqlErrors,
  };
}
