// What the gateway benchmark reports: each target's result in each scenario (medians of its
// runs), the ratios of the BFFs to each anchor, the aims, and the Markdown written next to the
// raw JSON in bench/results/gateway-<date>.md.
import { round } from './ledger-report';
import type { Target } from './gateway-server';

/** The load each target runs under. */
export interface Scenario {
  name: string;
  /** How many users take turns (each request the next user's token); 1: every request the same user's. */
  users: number;
  connections: number;
  description: string;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'one-user', users: 1, connections: 50, description: 'one user, 50 connections' },
  { name: 'many-users', users: 500, connections: 50, description: '500 users in turn (each request the next token), 50 connections' },
  { name: 'one-user-10', users: 1, connections: 10, description: 'one user, 10 connections' },
];

export const TARGET_LABELS: Record<Target, string> = {
  'apollo-gateway': 'bare `@apollo/gateway` in Apollo Server',
  hive: 'Hive Gateway + router-runtime (defaults: in-flight merging on)',
  'hive-no-merge': 'Hive Gateway + router-runtime, merging off',
  'bff-mobile': 'Meridian mobile BFF',
  'bff-mobile-no-cache': 'Meridian mobile BFF, response cache off',
  'bff-mobile-engine': 'Meridian mobile BFF, merging and cache off (the engine alone)',
  'bff-web': 'Meridian web BFF',
};

/** The targets the BFFs are held against. */
export const ANCHORS: readonly Target[] = ['apollo-gateway', 'hive', 'hive-no-merge'];
export const isAnchor = (target: Target) => ANCHORS.includes(target);

/** One measured run of one target. */
export interface RunMetrics {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The target process's CPU (user + system) per correct response. */
  cpuMsPerRequest: number;
  /** GraphQL requests the four subgraphs served per correct response. */
  subgraphRequestsPerRequest: number;
  /** The subgraphs' CPU per correct response. */
  subgraphCpuMsPerRequest: number;
  /** The load generator's CPU per correct response (it checks every response). */
  loadCpuMsPerRequest: number;
  /** Share of the machine's CPU that was busy during the run (all processes, anyone's). */
  machineBusy: number;
  ok: number;
  wrong: number;
  failed: number;
}

/** One target in one scenario. */
export interface TargetResult {
  scenario: string;
  target: Target;
  users: number;
  connections: number;
  /** Resident memory once it listens, before any request. */
  idleRssMb: number;
  /** Its highest resident memory over warm-up and runs (VmHWM). */
  peakRssMb: number;
  warmup: { ok: number; wrong: number; failed: number };
  runs: RunMetrics[];
  /** Each metric's median over the runs. */
  median: RunMetrics;
  /** The first wrong answers, if any. */
  samples: string[];
}

/** A BFF against one anchor in one scenario: BFF ÷ anchor. */
export interface Ratio {
  scenario: string;
  target: Target;
  anchor: Target;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuPerRequest: number;
  peakRss: number;
}

/** One of the aims, as measured in this run. */
export interface AimResult {
  aim: string;
  measured: string;
  met: boolean;
}

/** Everything a run writes to bench/results/gateway-<date>.json. */
export interface GatewayReport {
  date: string;
  /** What the run was made for, when named (`--label`). */
  label?: string;
  file: string;
  revision: string;
  host: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadAverage: { before: number[]; after: number[] };
  node: string;
  versions: Record<string, string>;
  /** The BFFs' shared rate limiter: Redis (with its version) or memory. */
  limiter: string;
  logLevel: string;
  warmupSeconds: number;
  secondsPerRun: number;
  runs: number;
  scenarios: Scenario[];
  results: TargetResult[];
  ratios: Ratio[];
  aims: AimResult[];
}

export function median(values: number[]): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Each metric's median over the runs (so the medians may come from different runs). */
export function medianRun(runs: RunMetrics[]): RunMetrics {
  const keys = Object.keys(runs[0]) as (keyof RunMetrics)[];
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((r) => r[key]))])) as unknown as RunMetrics;
}

const find = (results: TargetResult[], scenario: string, target: Target) => results.find((r) => r.scenario === scenario && r.target === target);

/** Every BFF against every anchor, scenario by scenario. */
export function ratios(results: TargetResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const result of results.filter((r) => !isAnchor(r.target))) {
    for (const anchor of ANCHORS) {
      const a = find(results, result.scenario, anchor);
      if (!a) continue;
      out.push({
        scenario: result.scenario,
        target: result.target,
        anchor,
        requestsPerSecond: round(result.median.requestsPerSecond / a.median.requestsPerSecond),
        p50: round(result.median.p50Ms / a.median.p50Ms),
        p99: round(result.median.p99Ms / a.median.p99Ms),
        cpuPerRequest: round(result.median.cpuMsPerRequest / a.median.cpuMsPerRequest),
        peakRss: round(result.peakRssMb / a.peakRssMb),
      });
    }
  }
  return out;
}

/** The aims that one run can judge, for the mobile BFF against Hive Gateway on the Rust planner. */
export function aims(results: TargetResult[]): AimResult[] {
  const out: AimResult[] = [];
  const pair = (scenario: string, anchor: Target) => {
    const bff = find(results, scenario, 'bff-mobile');
    const hive = find(results, scenario, anchor);
    return bff && hive ? { bff: bff, hive } : undefined;
  };
  const many = pair('many-users', 'hive');
  if (many) {
    const ratio = many.bff.median.requestsPerSecond / many.hive.median.requestsPerSecond;
    out.push({
      aim: 'many users: mobile BFF ≥ 1.0 × Hive (defaults) in rps, with a lower p99',
      measured: `${round(ratio)} ×; p99 ${round(many.bff.median.p99Ms, 1)} ms against ${round(many.hive.median.p99Ms, 1)} ms`,
      met: ratio >= 1 && many.bff.median.p99Ms < many.hive.median.p99Ms,
    });
  }
  const one = pair('one-user', 'hive');
  if (one) {
    const ratio = one.bff.median.requestsPerSecond / one.hive.median.requestsPerSecond;
    out.push({ aim: 'one user: mobile BFF ≥ 1.0 × Hive (defaults) in rps', measured: `${round(ratio)} ×`, met: ratio >= 1 });
  }
  // The engine alone: the mobile BFF with its own merging off, when it ran.
  const engineBff = find(results, 'one-user', 'bff-mobile-engine') ?? find(results, 'one-user', 'bff-mobile');
  const hiveNoMerge = find(results, 'one-user', 'hive-no-merge');
  const engine = engineBff && hiveNoMerge ? { bff: engineBff, hive: hiveNoMerge } : undefined;
  if (engine) {
    out.push({
      aim: `one user: ${engine.bff.target === 'bff-mobile-engine' ? 'mobile BFF with its merging and cache off' : 'mobile BFF'} CPU per request ≤ Hive with merging off`,
      measured: `${round(engine.bff.median.cpuMsPerRequest)} ms against ${round(engine.hive.median.cpuMsPerRequest)} ms`,
      met: engine.bff.median.cpuMsPerRequest <= engine.hive.median.cpuMsPerRequest,
    });
  }
  for (const scenario of ['one-user', 'many-users']) {
    const p = pair(scenario, 'hive');
    if (p) {
      out.push({
        aim: `${scenario}: mobile BFF peak RSS ≤ Hive's`,
        measured: `${round(p.bff.peakRssMb, 0)} MB against ${round(p.hive.peakRssMb, 0)} MB`,
        met: p.bff.peakRssMb <= p.hive.peakRssMb,
      });
    }
  }
  const ten = pair('one-user-10', 'hive');
  if (ten) {
    out.push({
      aim: '10 connections: mobile BFF p50 ≤ Hive (defaults)',
      measured: `${round(ten.bff.median.p50Ms, 1)} ms against ${round(ten.hive.median.p50Ms, 1)} ms`,
      met: ten.bff.median.p50Ms <= ten.hive.median.p50Ms,
    });
  }
  return out;
}

/** A one-line summary of a target's medians, for the console. */
export function logLine(result: TargetResult): string {
  const m = result.median;
  return (
    `  ${result.scenario.padEnd(12)} ${result.target.padEnd(15)} ${String(Math.round(m.requestsPerSecond)).padStart(6)} rps  ` +
    `p50 ${round(m.p50Ms, 1)} ms  p99 ${round(m.p99Ms, 1)} ms  ${round(m.cpuMsPerRequest)} ms CPU/req  ` +
    `${round(m.subgraphRequestsPerRequest)} subgraph req/req  peak ${Math.round(result.peakRssMb)} MB` +
    (m.wrong || m.failed || result.warmup.wrong || result.warmup.failed ? `  WRONG ${m.wrong + result.warmup.wrong}, FAILED ${m.failed + result.warmup.failed}` : '')
  );
}

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');

/** The Markdown written next to the JSON. */
export function markdown(report: GatewayReport): string {
  const lines: string[] = [];
  lines.push(`# Gateway benchmark, ${report.date.slice(0, 10)}${report.label ? ` (${report.label})` : ''}`, '');
  lines.push(
    `Revision ${report.revision}; ${report.cpus} × ${report.cpuModel}, ${report.memoryGb} GB; Node ${report.node}; ` +
      `load average ${report.loadAverage.before.join(' / ')} before, ${report.loadAverage.after.join(' / ')} after. ` +
      `Each target in a process of its own (\`NODE_ENV=production\`), started afresh for each scenario, ${report.warmupSeconds} s of warm-up, ` +
      `then ${report.runs} runs of ${report.secondsPerRun} s; each figure is the median of the runs. Every response's data was checked. ` +
      `BFFs: trusted documents only, LOG_LEVEL=${report.logLevel}, rate limiter ${report.limiter} with budgets raised so nothing is refused.`,
    '',
  );
  lines.push(`Versions: ${Object.entries(report.versions).map(([name, version]) => `${name} ${version}`).join(', ')}.`, '');
  for (const scenario of report.scenarios) {
    const results = report.results.filter((r) => r.scenario === scenario.name);
    if (results.length === 0) continue;
    lines.push(`## ${scenario.name}: ${scenario.description}`, '');
    lines.push('| target | rps | p50 ms | p99 ms | CPU ms / request | subgraph requests / request | peak RSS MB | idle RSS MB | correct / wrong / failed |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of results) {
      const m = r.median;
      const counts = `${r.runs.reduce((s, x) => s + x.ok, 0)} / ${r.runs.reduce((s, x) => s + x.wrong, 0) + r.warmup.wrong} / ${r.runs.reduce((s, x) => s + x.failed, 0) + r.warmup.failed}`;
      lines.push(
        `| ${TARGET_LABELS[r.target]} | ${fixed(m.requestsPerSecond)} | ${fixed(m.p50Ms, 1)} | ${fixed(m.p99Ms, 1)} | ${fixed(m.cpuMsPerRequest, 2)} | ${fixed(m.subgraphRequestsPerRequest, 2)} | ${fixed(r.peakRssMb)} | ${fixed(r.idleRssMb)} | ${counts} |`,
      );
    }
    lines.push('');
    const rs = report.ratios.filter((r) => r.scenario === scenario.name);
    if (rs.length) {
      lines.push('Ratios (BFF ÷ anchor; above 1 is more for rps, worse for the others):', '');
      lines.push('| BFF | anchor | rps | p50 | p99 | CPU / request | peak RSS |');
      lines.push('|---|---|---:|---:|---:|---:|---:|');
      for (const r of rs) lines.push(`| ${r.target} | ${r.anchor} | ${fixed(r.requestsPerSecond, 2)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${fixed(r.cpuPerRequest, 2)} | ${fixed(r.peakRss, 2)} |`);
      lines.push('');
    }
  }
  if (report.aims.length) {
    lines.push('## Aims', '');
    lines.push('| aim | measured | |');
    lines.push('|---|---|---|');
    for (const a of report.aims) lines.push(`| ${a.aim} | ${a.measured} | ${a.met ? 'met' : 'missed'} |`);
    lines.push('');
  }
  lines.push(
    '## How to read it',
    '',
    '- The subgraphs (four processes) and the load generator run on the same two cores as the target: ' +
      'their CPU per request is in the JSON (`subgraphCpuMsPerRequest`, `loadCpuMsPerRequest`), as is how busy the machine was.',
    "- Merging identical in-flight subgraph fetches shows as fewer subgraph requests per request: the dashboard's plan makes 4.",
    '- Peak RSS is the process\'s high-water mark (VmHWM) over warm-up and runs.',
    '',
  );
  return `${lines.join('\n')}\n`;
}
