// What the ledger benchmark reports: its aims, one scenario's result, the log line and the
// Markdown table written to bench/results/ledger.md.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

export const AIMS = { singleTransfersPerSecond: 2_000, batchedPostingsPerSecond: 20_000 };

/** One scenario's outcome. */
export interface ScenarioResult {
  kind: 'single' | 'batch';
  /** How the ledger wrote: planned on its forecast (the default), or in a transaction on what it locked. */
  writes: 'forecast' | 'locked';
  concurrency: number;
  postingsPerTransfer: number;
  transfers: number;
  errors: number;
  seconds: number;
  transfersPerSecond: number;
  postingsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The commit measured, marked when the working tree has changes. */
export function revision(): string {
  try {
    const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain', { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} with uncommitted changes` : commit;
  } catch {
    return 'unknown';
  }
}

/** Writes through a temporary file, so an interrupted run never leaves half a result behind. */
export function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

export const measured = (r: ScenarioResult) => (r.kind === 'single' ? r.transfersPerSecond : r.postingsPerSecond);
export const aimOf = (kind: ScenarioResult['kind']) => (kind === 'single' ? AIMS.singleTransfersPerSecond : AIMS.batchedPostingsPerSecond);
export const unitOf = (kind: ScenarioResult['kind']) => (kind === 'single' ? 'transfers/s' : 'postings/s');
export const labelOf = (r: ScenarioResult) => (r.kind === 'single' ? 'single (2 postings)' : `batch (${r.postingsPerTransfer} postings)`);

export function logResult(r: ScenarioResult): void {
  console.log(
    `${r.kind.padEnd(6)} c=${String(r.concurrency).padStart(2)}  ${String(r.transfersPerSecond).padStart(8)} transfers/s  ` +
      `${String(r.postingsPerSecond).padStart(9)} postings/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  errors ${r.errors}` +
      (r.writes === 'locked' ? '  (in a transaction, no forecast)' : ''),
  );
}

export function markdown(report: Record<string, unknown>, all: ScenarioResult[], verification: Record<string, unknown>): string {
  const results = all.filter((r) => r.writes === 'forecast');
  const compared = all
    .filter((r) => r.writes === 'locked')
    .map((locked) => {
      const planned = results.find((r) => r.kind === locked.kind && r.concurrency === locked.concurrency)!;
      const unit = unitOf(locked.kind);
      return `| ${labelOf(locked)} | ${locked.concurrency} | ${measured(planned)} ${unit} | ${measured(locked)} ${unit} | ${round(measured(planned) / measured(locked))} × |`;
    });
  const rows = results.map((r) => {
    const rate = r.kind === 'single' ? `${r.transfersPerSecond} transfers/s` : `${r.postingsPerSecond} postings/s (${r.transfersPerSecond} transfers/s)`;
    return `| ${labelOf(r)} | ${r.concurrency} | ${rate} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.errors} | ${measured(r) >= aimOf(r.kind) ? 'yes' : 'no'} |`;
  });
  return [
    '# Ledger benchmark',
    '',
    `Run ${String(report.date)} (revision ${String(report.revision)}) by \`npm run bench:ledger\` on ${String(report.cpus)} × ${String(report.cpuModel)}, ${String(report.postgres)}`,
    `(fsync ${String((report.settings as Record<string, string>).fsync)}, synchronous_commit ${String((report.settings as Record<string, string>).synchronous_commit)}),`,
    `${String(report.accounts)} accounts, ${String(report.secondsPerScenario)} s per scenario, load average ${(report.loadAverage as { before: number[] }).before[0]} before and ${(report.loadAverage as { after: number[] }).after[0]} after the run`,
    '(other work on the machine lowers every number).',
    `Aims: ${AIMS.singleTransfersPerSecond} single transfers/s and ${AIMS.batchedPostingsPerSecond} batched postings/s.`,
    '',
    '| scenario | concurrency | throughput | p50 ms | p99 ms | errors | meets aim |',
    '| --- | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows,
    '',
    ...(compared.length > 0
      ? [
          'Side by side in the same run: the ledger as it runs (batches of transfers planned on its forecast and',
          'written by one checked statement) against the same ledger running every batch in a transaction on',
          'what it locks (`forecast: false`).',
          '',
          '| scenario | concurrency | on the forecast | in a transaction | ratio |',
          '| --- | ---: | ---: | ---: | ---: |',
          ...compared,
          '',
        ]
      : []),
    `Verified afterwards: ${verification.ok ? 'ok' : 'MISMATCH'} — ${String(verification.transfers)} transfers, ${String(verification.postings)} postings, ${String(verification.accounts)} accounts in ${String(verification.durationMs)} ms.`,
    '',
    `Raw numbers: \`${String(report.file)}\`.`,
    '',
  ].join('\n');
}

