// One measured pass of the Meridian gateway benchmark, on the data as it stands. Statements are
// counted by the servers (bench/statement-counter.ts), each attributed to the request that sent
// it, which costs CPU; so the statements are counted in windows of their own and the speed is
// measured with attribution off:
// 1. the reference pass: each operation for every customer once, one request at a time, every
//    answer checked: each operation's exact statements per request;
// 2. a warm-up, then one counted run under load: the screen's statements per request as the
//    load mixes them (and what attribution costs, from its rps);
// 3. the measured runs, attribution off: requests per second, latency, subgraph requests per
//    request and each server's CPU per request.
import { cpuMs } from './gateway-stack';
import type { DashboardCustomer } from './gateway-meridian-fixtures';
import { OPERATIONS, referencePass, runScreenLoad, screenRequests, type Operation, type ScreenLoadOutcome } from './gateway-meridian-load';
import { round } from './ledger-report';
import type { Role } from './payments-server';
import type { PaymentsStack } from './payments-stack';
import type { StatementCounts } from './statement-counter';

const FRONT: Role = 'bff-mobile';

/** Every server's counts and CPU at one moment. */
type Snapshot = Map<Role, StatementCounts & { cpuMs: number }>;

/** Statements and subgraph requests per request of the front, in a window with attribution on. */
export interface StatementFigures {
  /** Requests the mobile BFF answered in the window. */
  requests: number;
  /** SQL statements the servers sent while answering them, per request. */
  statementsPerRequest: number;
  /** Of those, BEGIN/COMMIT/ROLLBACK/SAVEPOINT. */
  transactionControlPerRequest: number;
  /** Per request, by server (only those that sent any). */
  statementsByServer: Partial<Record<Role, number>>;
  /** HTTP requests the subgraphs answered per request (the plan's fetches, and any call between subgraphs). */
  subgraphRequestsPerRequest: number;
  /** Statements sent by no request (relays, consumers, workers), per second of the window. */
  backgroundStatementsPerSecond: number;
}

/** One measured run under load, attribution off. */
export interface RunMetrics {
  requestsPerSecond: number;
  /** Home screens (three requests each) per second. */
  screensPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  byOperation: ScreenLoadOutcome['byOperation'];
  /** HTTP requests the subgraphs answered per request of the BFF. */
  subgraphRequestsPerRequest: number;
  /** Each server's CPU (user + system, its background work included) per request of the BFF. */
  cpuMsPerRequest: Partial<Record<Role, number>>;
  ok: number;
  wrong: number;
  failed: number;
}

/** One data size, measured. */
export interface PassResult {
  label: string;
  data: Record<string, number>;
  /** Each operation alone, one request at a time: its exact statements per request. */
  reference: Record<Operation, StatementFigures>;
  /** The counted run under load: the screen's statements per request, and its speed with attribution on. */
  counted: StatementFigures & { requestsPerSecond: number; p99Ms: number };
  warmup: { ok: number; wrong: number; failed: number };
  runs: RunMetrics[];
  /** Each figure's median over the runs. */
  median: RunMetrics;
  wrong: number;
  failed: number;
  samples: string[];
}

/** Every server's counts now, switching attribution first when `attribute` is given. */
async function snapshot(stack: PaymentsStack, attribute?: boolean): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  for (const [role, server] of Object.entries(stack.servers) as [Role, NonNullable<PaymentsStack['servers'][Role]>][]) {
    snap.set(role, { ...(await server.statements(attribute)), cpuMs: cpuMs(server.pid) });
  }
  return snap;
}

const totalRequests = (snap: Snapshot) => [...snap.values()].reduce((s, c) => s + c.requests, 0);

/** A snapshot once the servers have answered everything in flight (no new request for 300 ms); `attribute` as for {@link snapshot}, switched then. */
async function settled(stack: PaymentsStack, attribute?: boolean): Promise<Snapshot> {
  let last = await snapshot(stack);
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await snapshot(stack);
    if (totalRequests(now) === totalRequests(last)) break;
    last = now;
  }
  return attribute === undefined ? last : snapshot(stack, attribute);
}

/** What the servers did between two snapshots `seconds` apart, per request the BFF answered. */
function window(before: Snapshot, after: Snapshot, seconds: number) {
  const roles = [...after.keys()];
  const delta = (role: Role, key: keyof StatementCounts | 'cpuMs') => after.get(role)![key] - before.get(role)![key];
  const sum = (key: keyof StatementCounts, of: readonly Role[]) => of.reduce((s, r) => s + delta(r, key), 0);
  const requests = delta(FRONT, 'requests');
  const n = Math.max(1, requests);
  const perRequest = (value: number) => round(value / n, 3);
  const figures: StatementFigures = {
    requests,
    statementsPerRequest: perRequest(sum('request', roles)),
    transactionControlPerRequest: perRequest(sum('requestTransactionControl', roles)),
    statementsByServer: Object.fromEntries(roles.filter((r) => delta(r, 'request') > 0).map((r) => [r, perRequest(delta(r, 'request'))])),
    subgraphRequestsPerRequest: perRequest(sum('requests', roles.filter((r) => r !== FRONT))),
    backgroundStatementsPerSecond: round(sum('background', roles) / seconds, 1),
  };
  const cpuMsPerRequest = Object.fromEntries(roles.map((r) => [r, perRequest(delta(r, 'cpuMs'))]));
  return { figures, cpuMsPerRequest };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Each numeric figure's median over the runs (records of numbers too, key by key). */
function medianRun(runs: RunMetrics[]): RunMetrics {
  const pick = (get: (r: RunMetrics) => unknown): unknown => {
    const first = get(runs[0]);
    if (typeof first === 'number') return median(runs.map((r) => get(r) as number));
    if (first && typeof first === 'object') {
      return Object.fromEntries(Object.keys(first).map((k) => [k, pick((r) => (get(r) as Record<string, unknown> | undefined)?.[k] ?? 0)]));
    }
    return first;
  };
  return pick((r) => r) as RunMetrics;
}

/** Runs `work` between two settled snapshots; answers what the servers did per request. */
async function measured<T>(stack: PaymentsStack, work: () => Promise<T>) {
  const before = await settled(stack);
  const started = performance.now();
  const result = await work();
  const after = await settled(stack);
  return { result, ...window(before, after, (performance.now() - started) / 1000) };
}

/** Measures the home screen on the data as it stands. */
export async function measurePass(input: {
  label: string;
  stack: PaymentsStack;
  customers: readonly DashboardCustomer[];
  tokens: Map<string, string>;
  today: string;
  options: { connections: number; seconds: number; warmup: number; runs: number };
  data: Record<string, number>;
  log: (line: string) => void;
}): Promise<PassResult> {
  const { stack, customers, options, log, label } = input;
  const url = `${stack.servers[FRONT]!.url}/graphql`;
  const requests = customers.map((c) => screenRequests(c, input.tokens.get(c.userId)!, input.today));

  await settled(stack, true);
  const reference = {} as Record<Operation, StatementFigures>;
  const answers = await referencePass(url, customers, requests, async (operation, run) => {
    reference[operation] = (await measured(stack, run)).figures;
  });
  log(`${label}: every answer of the reference pass is right; statements per request ${OPERATIONS.map((o) => `${o} ${reference[o].statementsPerRequest}`).join(', ')}`);

  const spec = { url, requests, answers, connections: options.connections };
  const warmup = await runScreenLoad({ ...spec, seconds: options.warmup || 0.5 });
  const count = await measured(stack, () => runScreenLoad({ ...spec, seconds: options.seconds }));
  const counted = { ...count.figures, requestsPerSecond: round(count.result.requestsPerSecond, 1), p99Ms: count.result.latencyMs.p99 };
  log(`${label} counted run: ${counted.statementsPerRequest} statements per request (${counted.transactionControlPerRequest} BEGIN/COMMIT) at ${counted.requestsPerSecond} requests/s`);
  await settled(stack, false);

  const runs: RunMetrics[] = [];
  const samples = [...warmup.samples, ...count.result.samples];
  for (let run = 0; run < options.runs; run++) {
    const { result: load, figures, cpuMsPerRequest } = await measured(stack, () => runScreenLoad({ ...spec, seconds: options.seconds }));
    samples.push(...load.samples);
    runs.push({
      requestsPerSecond: round(load.requestsPerSecond, 1),
      screensPerSecond: round(load.requestsPerSecond / OPERATIONS.length, 1),
      p50Ms: load.latencyMs.p50,
      p90Ms: load.latencyMs.p90,
      p99Ms: load.latencyMs.p99,
      maxMs: load.latencyMs.max,
      byOperation: load.byOperation,
      subgraphRequestsPerRequest: figures.subgraphRequestsPerRequest,
      cpuMsPerRequest,
      ok: load.ok,
      wrong: load.wrong,
      failed: load.failed,
    });
    const m = runs[runs.length - 1];
    log(
      `${label} run ${run + 1}: ${m.requestsPerSecond} requests/s (${m.screensPerSecond} screens/s), p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms, ${m.subgraphRequestsPerRequest} subgraph requests per request; ` +
        `${m.ok} right, ${m.wrong} wrong, ${m.failed} failed; CPU ms per request ${Object.entries(m.cpuMsPerRequest).map(([r, v]) => `${r} ${v}`).join(', ')}`,
    );
  }
  const loads = [warmup, count.result, ...runs];
  return {
    label,
    data: input.data,
    reference,
    counted,
    warmup: { ok: warmup.ok, wrong: warmup.wrong, failed: warmup.failed },
    runs,
    median: medianRun(runs),
    wrong: loads.reduce((s, r) => s + r.wrong, 0),
    failed: loads.reduce((s, r) => s + r.failed, 0),
    samples: samples.slice(0, 3),
  };
}
