// What the payments benchmark reports: one scenario's result, and the Markdown written next to
// the raw JSON in bench/results/payments-<date>.md.
import type { RunHeader } from './admin';
import { percentile, round } from './ledger-report';
import type { HopReport } from './payments-hops';
import type { Front, LoadOutcome } from './payments-load';

/** P2P payments per second through the mobile BFF at concurrency 16 that the issue asks for. */
export const AIM_PAYMENTS_PER_SECOND = 300;

export const FRONT_LABELS: Record<Front, string> = {
  bff: 'mobile BFF → gateway (in the BFF) → payments → banking, identity; one request',
  'bff-two-step': 'the same, in two requests (create, then confirm)',
  gateway: 'gateway server → payments → banking, identity',
  direct: 'payments (gateway service token) → banking, identity',
};

/** The payments against the ledger after the run (see checkPayments in payments.ts). */
export interface PaymentsCheck {
  byStatus: Record<string, number>;
  /** SUCCEEDED answers the load generator received, warm-ups included. */
  seenByClients: number;
  succeeded: number;
  /** Ledger transfers whose caused_by names a SUCCEEDED payment. */
  holdsOfSucceeded: number;
  /** Of those, the payment's own hold, posted by exactly one post. */
  postedHolds: number;
  /** Transfers caused by any payment, and how many payments they name. */
  paymentTransfers: number;
  distinctPayments: number;
  ok: boolean;
}

/** Everything a run writes to bench/results/payments-<date>.json. */
export interface PaymentsReport extends RunHeader {
  /** The server processes, in the order they started. */
  processes: string[];
  logLevel: string;
  payers: number;
  recipients: number;
  paymentsPerPayer: number;
  warmupSeconds: number;
  secondsPerFront: number;
  aimPaymentsPerSecond: number;
  results: ScenarioResult[];
  verification: {
    ledger: { ok: boolean; transfers: number; postings: number; accounts: number; durationMs: number; mismatch: string | null };
    payments: PaymentsCheck;
  };
}

/** One front's measured window. */
export interface ScenarioResult {
  front: Front;
  concurrency: number;
  seconds: number;
  attempted: number;
  succeeded: number;
  paymentsPerSecond: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
  createP50Ms: number;
  confirmP50Ms: number;
  errors: Record<string, number>;
  statuses: Record<string, number>;
  exhausted: boolean;
  warmup: { seconds: number; succeeded: number; errors: Record<string, number>; statuses: Record<string, number> };
  hops: HopReport;
}

/** Summarises a measured window (and the warm-up before it). */
export function scenarioResult(front: Front, concurrency: number, load: LoadOutcome, warmup: LoadOutcome, hops: HopReport): ScenarioResult {
  const mean = load.latencies.reduce((a, b) => a + b, 0) / (load.latencies.length || 1);
  return {
    front,
    concurrency,
    seconds: round(load.seconds),
    attempted: load.attempted,
    succeeded: load.succeeded,
    paymentsPerSecond: round(load.succeeded / load.seconds, 1),
    latencyMs: {
      mean: round(mean),
      p50: round(percentile(load.latencies, 50)),
      p95: round(percentile(load.latencies, 95)),
      p99: round(percentile(load.latencies, 99)),
      max: round(load.latencies[load.latencies.length - 1] ?? 0),
    },
    createP50Ms: round(percentile(load.createMs, 50)),
    confirmP50Ms: round(percentile(load.confirmMs, 50)),
    errors: load.errors,
    statuses: load.statuses,
    exhausted: load.exhausted,
    warmup: { seconds: round(warmup.seconds), succeeded: warmup.succeeded, errors: warmup.errors, statuses: warmup.statuses },
    hops,
  };
}

export function logScenario(r: ScenarioResult): void {
  const errors = Object.entries({ ...r.errors, ...r.statuses }).map(([k, v]) => `${k} ${v}`);
  console.log(
    `${r.front.padEnd(12)} c=${r.concurrency}  ${String(r.paymentsPerSecond).padStart(6)} payments/s  p50 ${r.latencyMs.p50} ms  p95 ${r.latencyMs.p95} ms  ` +
      `p99 ${r.latencyMs.p99} ms  CPU ${r.hops.cpuMsPerPayment} ms/payment  ${errors.length ? `errors: ${errors.join(', ')}` : 'no errors'}`,
  );
}

const counts = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
const pct = (share: number) => `${round(share * 100, 1)} %`;

/** The CPU table, one column per front, rows in the first front's order. */
function cpuTable(results: ScenarioResult[]): string[] {
  const names = [...new Set(results.flatMap((r) => r.hops.cpu.filter((c) => c.seconds > 0).map((c) => c.name)))];
  const cell = (r: ScenarioResult, name: string) => {
    const c = r.hops.cpu.find((x) => x.name === name);
    return c && c.seconds > 0 ? `${c.msPerPayment} (${pct(c.share)})` : '–';
  };
  return [
    `| process | ${results.map((r) => `${r.front}: ms per payment (share)`).join(' | ')} |`,
    `| --- | ${results.map(() => '---:').join(' | ')} |`,
    ...names.map((name) => `| ${name} | ${results.map((r) => cell(r, name)).join(' | ')} |`),
    `| **all the run's processes** | ${results.map((r) => `**${r.hops.cpuMsPerPayment}**`).join(' | ')} |`,
    `| payments/s the cores could carry at that cost, alone | ${results.map((r) => r.hops.cpuCeilingPerSecond).join(' | ')} |`,
    `| machine busy (of all cores) / other work's share | ${results.map((r) => (r.hops.machine ? `${pct(r.hops.machine.busyShare)} / ${pct(r.hops.machine.otherWorkShare)}` : 'n/a')).join(' | ')} |`,
  ];
}

/** What stands out, in sentences computed from the numbers. */
function findings(results: ScenarioResult[]): string[] {
  const bff = results.find((r) => r.front === 'bff');
  const direct = results.find((r) => r.front === 'direct');
  const gateway = results.find((r) => r.front === 'gateway');
  const lines: string[] = [];
  if (bff) {
    const met = bff.paymentsPerSecond >= AIM_PAYMENTS_PER_SECOND;
    lines.push(
      `- Through the mobile BFF: ${bff.paymentsPerSecond} payments/s against an aim of ${AIM_PAYMENTS_PER_SECOND} (${met ? 'met' : 'missed'}). ` +
        `The run's processes spent ${bff.hops.cpuMsPerPayment} ms of CPU per payment, so ${bff.hops.machine?.cores ?? 2} cores could carry at most ` +
        `${bff.hops.cpuCeilingPerSecond}/s with nothing else running; ${AIM_PAYMENTS_PER_SECOND}/s needs at most ${round(((bff.hops.machine?.cores ?? 2) * 1_000) / AIM_PAYMENTS_PER_SECOND, 1)} ms per payment.`,
    );
    const top = bff.hops.cpu.slice(0, 3).map((c) => `${c.name} ${c.msPerPayment} ms (${pct(c.share)})`);
    lines.push(`- Largest CPU shares through the BFF: ${top.join('; ')}.`);
    if (bff.hops.machine) {
      lines.push(`- The machine was ${pct(bff.hops.machine.busyShare)} busy during that window, ${pct(bff.hops.machine.otherWorkShare)} of it other work than this run.`);
    }
    const waits = bff.hops.postgres.waits.slice(0, 3).map((w) => `${w.wait} ${pct(w.share)}`);
    lines.push(
      `- PostgreSQL: ${bff.hops.postgres.commitsPerPayment} commits per payment; running backends were sampled on ${waits.join(', ')}` +
        ` (CPU: running without a wait event; IO:WALSync and LWLock:WALWrite: the commit's WAL flush).`,
    );
  }
  if (bff && direct) {
    const bffCpu = bff.hops.cpu.find((c) => c.name.startsWith('mobile BFF'));
    lines.push(
      `- Straight to payments: ${direct.paymentsPerSecond} payments/s, ${round(direct.paymentsPerSecond / bff.paymentsPerSecond)} × the BFF path; p50 ${direct.latencyMs.p50} ms against ${bff.latencyMs.p50} ms. ` +
        `CPU per payment ${direct.hops.cpuMsPerPayment} ms against ${bff.hops.cpuMsPerPayment} ms: the BFF and its gateway add ${round(bff.hops.cpuMsPerPayment - direct.hops.cpuMsPerPayment)} ms` +
        (bffCpu ? ` (the BFF process alone ${bffCpu.msPerPayment} ms, ${pct(bffCpu.share)} of the run's CPU).` : '.'),
    );
  }
  if (bff && gateway) {
    const g = gateway.hops.cpu.find((c) => c.name === 'gateway server')?.msPerPayment ?? 0;
    const b = bff.hops.cpu.find((c) => c.name.startsWith('mobile BFF'))?.msPerPayment ?? 0;
    lines.push(
      `- The gateway's part of the BFF, from the gateway server run: ${g} ms of CPU per payment in the gateway server against ${b} ms in the BFF process, ` +
        `so about ${round(b - g)} ms is the BFF's own pipeline (trusted documents, limits, rate limits in Redis, token checks) and about ${g} ms the gateway (planning, fetching, merging).`,
    );
  }
  return lines;
}

/** The Markdown report. */
export function markdown(report: PaymentsReport): string {
  const results = report.results;
  const bff = results.find((r) => r.front === 'bff') ?? results[0];
  const v = report.verification;
  return [
    '# Payments benchmark',
    '',
    `Run ${report.date} (revision ${report.revision}) by \`npm run bench:payments\` on ${report.cpus} × ${report.cpuModel}, ${report.memoryGb} GB, Node ${report.node},`,
    `${report.postgres} (fsync ${report.settings.fsync}, synchronous_commit ${report.settings.synchronous_commit}), Redis ${report.redis};`,
    `load average ${report.loadAverage.before[0]} before and ${report.loadAverage.after[0]} after the run (other work on the machine lowers every number).`,
    `Every server in a process of its own (${report.processes.join(', ')}), NODE_ENV=production, LOG_LEVEL=${report.logLevel}; the mobile BFF runs trusted documents only and the gateway in process;`,
    `KYC is not started (payments' tier projection knows every payer). ${report.payers} payers (tier 2, default fraud rules, at most ${report.paymentsPerPayer} payments each) pay ${report.recipients} recipients small GBP amounts;`,
    `each payment is one createPayment with \`confirm: true\` (bff-two-step: createPayment then confirmPayment), each request with its own idempotency key, at concurrency ${bff.concurrency}, ${report.warmupSeconds} s of warm-up then ${report.secondsPerFront} s per front.`,
    '',
    '| front | path | payments/s | p50 ms | p95 ms | p99 ms | max ms | create / confirm p50 ms | errors | other outcomes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.front} | ${FRONT_LABELS[r.front]} | ${r.paymentsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.confirmP50Ms ? `${r.createP50Ms} / ${r.confirmP50Ms}` : 'one request'} | ${counts(r.errors)} | ${counts(r.statuses)}${r.exhausted ? ' (payers ran out)' : ''} |`,
    ),
    '',
    `Aim: ${AIM_PAYMENTS_PER_SECOND} payments/s through the mobile BFF: ${bff.front !== 'bff' ? 'not measured (no bff front)' : bff.paymentsPerSecond >= AIM_PAYMENTS_PER_SECOND ? 'met' : 'missed'}.`,
    '',
    '## What dominates',
    '',
    ...findings(results),
    '',
    '## CPU per payment, by process',
    '',
    ...cpuTable(results),
    '',
    `## Wall time per payment, by hop (${bff.front})`,
    '',
    'From each server\'s request duration histogram; exclusive = the hop\'s time less the requests it made.',
    '',
    '| hop | inclusive ms | exclusive ms | share of the latency |',
    '| --- | ---: | ---: | ---: |',
    ...bff.hops.wall.map((w) => `| ${w.hop} | ${w.inclusiveMs} | ${w.exclusiveMs} | ${w.hop.startsWith('  of which') ? '' : pct(w.share)} |`),
    '',
    '| server | route | requests per payment | mean ms | ms per payment | failed |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...bff.hops.routes.map((r) => `| ${r.server} | \`${r.route}\` | ${r.perPayment} | ${r.meanMs} | ${r.msPerPayment} | ${r.failed} |`),
    '',
    `PostgreSQL (${bff.front}): ${bff.hops.postgres.commitsPerPayment} commits and ${bff.hops.postgres.activeMsPerPayment ?? 'n/a'} ms of statement time (pg_stat_database.active_time) per payment;`,
    `sampled every 100 ms (${bff.hops.postgres.samples} samples), ms per payment each pool's backends were running a statement / holding a transaction open between statements:`,
    bff.hops.postgres.byService.map((s) => `${s.app} ${s.activeMs} / ${s.idleInTransactionMs}`).join('; ') + '.',
    `Running backends by wait event: ${bff.hops.postgres.waits.slice(0, 8).map((w) => `${w.wait} ${pct(w.share)}`).join(', ')}.`,
    '',
    '## Method and its limits',
    '',
    '- CPU: user + system time of every server process, of the PostgreSQL backends connected to the run\'s database (named by their',
    '  pool\'s application_name), of PostgreSQL\'s shared WAL writer, checkpointer and background writer (which serve every database on',
    '  the server) and of the whole Redis server (shared with other work), read from /proc before and after the window. On 2 cores at',
    '  saturation this is the cost that bounds throughput; the in-process gateway cannot be told apart from the BFF this way, hence the',
    '  gateway server run. Backends that exit during the window are missed; /proc counts in 10 ms ticks.',
    '- Wall time: the servers\' `http_server_request_duration_seconds` histograms (sum and count) before and after; time in a hop',
    '  includes waiting for a core, so on a saturated machine wall shares say where payments wait, CPU shares where the work is.',
    '- PostgreSQL: pg_stat_database (statement time summed over backends, flushed by each backend about once a second) and a',
    '  sampler of pg_stat_activity every 100 ms (a statistical estimate: a few hundred samples).',
    '- The fronts run one after another on a growing database; the load generator shares the machine with the servers.',
    '',
    '## Verification',
    '',
    `Ledger verifier on banking's schema: ${v.ledger.ok ? 'ok' : 'MISMATCH'} — ${v.ledger.transfers} transfers, ${v.ledger.postings} postings, ${v.ledger.accounts} accounts in ${v.ledger.durationMs} ms${v.ledger.mismatch ? `; ${v.ledger.mismatch}` : ''}.`,
    `Payments by status: ${counts(v.payments.byStatus)}; SUCCEEDED answers the clients saw: ${v.payments.seenByClients}.`,
    `Ledger transfers caused by a SUCCEEDED payment (\`caused_by = 'payment:<id>'\`): ${v.payments.holdsOfSucceeded} for ${v.payments.succeeded} payments, ${v.payments.postedHolds} of them posted; ` +
      `${v.payments.paymentTransfers} transfers caused by any payment, for ${v.payments.distinctPayments} distinct payments: ${v.payments.ok ? 'one hold per payment' : 'MISMATCH'}.`,
    '',
    `Raw numbers: \`${report.file}\`.`,
    '',
  ].join('\n');
}
