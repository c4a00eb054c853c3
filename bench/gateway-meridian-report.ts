// What the Meridian gateway benchmark reports: each data size's requests per second, latency,
// statements and subgraph requests per request (under load, and per operation alone), whether
// the statements stayed constant as the data grew, and the Markdown written next to the raw
// JSON in bench/results/gateway-meridian-<date>.md.
import type { RunHeader } from './admin';
import type { HistoryPass } from './gateway-meridian-fixtures';
import { OPERATIONS, type Operation } from './gateway-meridian-load';
import type { PassResult, RunMetrics } from './gateway-meridian-measure';
import type { Role } from './payments-server';

/** Whether statements per request stayed the same from the first data size to the last. */
export interface Verdict {
  constant: boolean;
  /** Each operation's statements per request, first size → last. */
  byOperation: Record<Operation, { from: number; to: number }>;
  underLoad: { from: number; to: number };
  summary: string;
}

export interface MeridianReport extends RunHeader {
  processes: Role[];
  logLevel: string;
  connections: number;
  warmupSeconds: number;
  secondsPerRun: number;
  runs: number;
  history: { first: HistoryPass; second: HistoryPass };
  passes: PassResult[];
  verdict: Verdict;
}

/**
 * Statements per request are constant when every operation alone sends exactly as many at the
 * last size as at the first (counted one request at a time, so nothing else is mixed in).
 */
export function verdict(passes: readonly PassResult[]): Verdict {
  const [first, last] = [passes[0], passes[passes.length - 1]];
  const byOperation = Object.fromEntries(
    OPERATIONS.map((o) => [o, { from: first.reference[o].statementsPerRequest, to: last.reference[o].statementsPerRequest }]),
  ) as Verdict['byOperation'];
  const constant = OPERATIONS.every((o) => Math.abs(byOperation[o].from - byOperation[o].to) < 0.005);
  const underLoad = { from: first.counted.statementsPerRequest, to: last.counted.statementsPerRequest };
  const summary = [...OPERATIONS.map((o) => `${o} ${byOperation[o].from} → ${byOperation[o].to}`), `under load ${underLoad.from} → ${underLoad.to}`].join('; ');
  return { constant, byOperation, underLoad, summary };
}

const n = (x: number, digits = 0) => x.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const byServer = (record: Partial<Record<Role, number>>, digits: number) =>
  Object.entries(record)
    .filter(([, v]) => (v ?? 0) >= 10 ** -digits / 2)
    .map(([k, v]) => `${k} ${n(v!, digits)}`)
    .join(', ') || 'none';

function runRow(label: string, m: RunMetrics): string {
  return `| ${label} | ${n(m.requestsPerSecond)} | ${n(m.screensPerSecond)} | ${n(m.p50Ms, 1)} | ${n(m.p99Ms, 1)} | ${n(m.subgraphRequestsPerRequest, 2)} | ${m.ok} / ${m.wrong} / ${m.failed} |`;
}

/** The report as Markdown. */
export function markdown(r: MeridianReport): string {
  const [first, last] = [r.passes[0], r.passes[r.passes.length - 1]];
  const lines = [
    `# Gateway benchmark: Meridian's own supergraph, ${r.date.slice(0, 10)}`,
    '',
    `Run ${r.date} (revision ${r.revision}) by \`npm run bench:gateway:meridian\` on ${r.cpus} × ${r.cpuModel.split(' ').slice(0, 2).join(' ')}, ${r.memoryGb} GB, Node ${r.node}, ` +
      `${r.postgres} (fsync ${r.settings.fsync ?? '?'}, synchronous_commit ${r.settings.synchronous_commit ?? '?'}), Redis ${r.redis}; ` +
      `load average ${r.loadAverage.before.join(' / ')} before, ${r.loadAverage.after.join(' / ')} after (other work on the machine lowers every number).`,
    `Every server in a process of its own (${r.processes.join(', ')}), \`NODE_ENV=production\`, LOG_LEVEL=${r.logLevel}; the mobile BFF runs trusted documents only, ` +
      `the gateway in process, its response cache off and its rate limits raised so that nothing is refused (every request is still counted).`,
    `The app's home screen, three trusted documents sent by id as \`@meridian/client\` sends them, each request with the customer's own token: ` +
      `\`Accounts\` (accounts and balances), \`CategorizedTransactions\` (the current account's 20 latest transactions with their category and merchant) and ` +
      `\`SpendingByCategory\` (this month). ${first.data.customers} customers in turn, ${r.connections} connections; per size ${r.warmupSeconds} s of warm-up, then ${r.runs} run(s) of ${r.secondsPerRun} s, ` +
      `each figure the median of the runs. Every answer was compared with that customer's reference answer, itself checked against what was written.`,
    '',
    '## Results',
    '',
    'Speed: the measured runs, with the servers counting statements but not attributing them (following every request costs CPU). ' +
      'Statements: each request under load counted for the request that sent it, in a run of its own (the counted run).',
    '',
    '| data | transactions per customer | rps | screens/s | p50 ms | p99 ms | subgraph requests / request | right / wrong / failed | SQL statements / request (counted run) |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|',
    ...r.passes.map((p) => `${runRow(p.label, p.median).replace(`| ${p.label} |`, `| ${p.label} | ${n(p.data.transactionsPerCustomer)} |`)} ${n(p.counted.statementsPerRequest, 2)} |`),
    '',
    `**Statements per request ${r.verdict.constant ? 'stayed constant' : 'did NOT stay constant'}** as the history grew ${n(last.data.transactionsPerCustomer / first.data.transactionsPerCustomer, 1)}-fold: ${r.verdict.summary}.`,
    '',
    '## Statements',
    '',
    'Each operation alone, every customer once, one request at a time (exact: nothing else is in flight, and what background work sends is counted apart), ' +
      'then the three together under load (the counted run; a window rarely ends on a whole screen, so it sits near their mean).',
    '',
    '| operation | data | statements / request | of which BEGIN/COMMIT | by server | subgraph requests / request |',
    '|---|---|---:|---:|---|---:|',
    ...[...OPERATIONS, 'screen under load' as const].flatMap((o) =>
      r.passes.map((p) => {
        const f = o === 'screen under load' ? p.counted : p.reference[o];
        return `| ${o} | ${p.label} | ${n(f.statementsPerRequest, 2)} | ${n(f.transactionControlPerRequest, 2)} | ${byServer(f.statementsByServer, 2)} | ${n(f.subgraphRequestsPerRequest, 2)} |`;
      }),
    ),
    '',
    `Background work (outbox relays, event consumers, job queues, workers) sent ${r.passes.map((p) => `${n(p.counted.backgroundStatementsPerSecond, 1)}`).join(' and ')} statements per second during the counted runs. ` +
      `Attributing statements costs CPU: the counted runs served ${r.passes.map((p) => `${n(p.counted.requestsPerSecond)} requests/s (p99 ${n(p.counted.p99Ms)} ms)`).join(' and ')}.`,
    '',
    '## Latency by operation and CPU by server (medians of the runs)',
    '',
    '| data | ' + OPERATIONS.map((o) => `${o} p50 / p99 ms`).join(' | ') + ' | CPU ms / request by server |',
    '|---|' + OPERATIONS.map(() => '---:|').join('') + '---|',
    ...r.passes.map(
      (p) => `| ${p.label} | ${OPERATIONS.map((o) => `${n(p.median.byOperation[o].p50Ms, 1)} / ${n(p.median.byOperation[o].p99Ms, 1)}`).join(' | ')} | ${byServer(p.median.cpuMsPerRequest, 2)} |`,
    ),
    '',
    "CPU is each process's user + system time over the run divided by the BFF's requests, its background work included; PostgreSQL's and Redis's are not in it.",
    '',
    '## Data',
    '',
    '| data | customers | transactions per customer | of them on the current account | banking postings | insights transactions |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.passes.map(
      (p) =>
        `| ${p.label} | ${n(p.data.customers)} | ${n(p.data.transactionsPerCustomer)} | ${n(p.data.currentAccountTransactionsPerCustomer)} | ${n(p.data.bankingPostings)} | ${n(p.data.insightsTransactions)} |`,
    ),
    '',
    `History written through the ledger: ${n(r.history.first.transfers)} transfers in ${n(r.history.first.seconds, 1)} s, then ${n(r.history.second.transfers)} in ${n(r.history.second.seconds, 1)} s ` +
      `(${r.history.first.skipped + r.history.second.skipped} steps of the plan left out because the account could not cover them); insights followed both from the ledger's events.`,
    '',
    '## Runs',
    '',
    '| data | run | rps | screens/s | p50 ms | p99 ms | subgraph requests / request | right / wrong / failed |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...r.passes.flatMap((p) => p.runs.map((m, i) => runRow(p.label, m).replace(`| ${p.label} |`, `| ${p.label} | ${i + 1} |`))),
    '',
  ];
  const wrong = r.passes.flatMap((p) => p.samples);
  if (wrong.length) lines.push('Wrong answers (first ones):', '', ...wrong.map((s) => `- \`${s.replace(/`/g, "'")}\``), '');
  return `${lines.join('\n')}\n`;
}
