import type { StartMeasurement } from './embedded-memory';
import { round } from './ledger-report';

/** What `npm run bench:memory` writes to its JSON file, and renders as Markdown. */
export interface MemoryReport {
  date: string;
  file: string;
  revision: string;
  host: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadAverage: { before: number[]; after: number[] };
  node: string;
  command: string;
  postgresSettings: Readonly<Record<string, string>>;
  idleSeconds: number;
  limitMb: number;
  starts: StartMeasurement[];
  passed: boolean;
}

const mb = (n: number) => String(Math.round(n));

/** The results as the Markdown file next to the JSON. */
export function markdown(report: MemoryReport): string {
  const columns = report.starts.map((s) => s.label);
  const row = (name: string, value: (s: StartMeasurement) => string) => `| ${name} | ${report.starts.map(value).join(' | ')} |`;
  const wasm = (s: StartMeasurement) => s.breakdown.wasmMemories;
  const spaces = [...new Set(report.starts.flatMap((s) => Object.keys(s.breakdown.heapSpaces)))];
  return [
    '# Embedded `npm start` memory',
    '',
    `Run ${report.date} (revision ${report.revision}) by \`npm run bench:memory\` on ${report.cpus} × ${report.cpuModel.split(' ').slice(0, 2).join(' ')}, ${report.memoryGb} GB, Node ${report.node}; load average ${report.loadAverage.before[0]} before, ${report.loadAverage.after[0]} after.`,
    `\`npm start\` (\`${report.command}\`) on a new DATA_DIR, embedded PostgreSQL with ${Object.entries(report.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ')};`,
    `the server process's VmRSS sampled every second for ${report.idleSeconds} s after "Meridian is running"; idle is the median of the last ten samples.`,
    '',
    `| MB | ${columns.join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    row(`**idle RSS** (limit ${report.limitMb})`, (s) => `**${mb(s.idleRssMb)}**`),
    row('idle RSS min – max (last ten samples)', (s) => `${mb(s.idleMinMb)} – ${mb(s.idleMaxMb)}`),
    row('idle RSS min – max (whole idle time)', (s) => `${mb(Math.min(...s.idleSamplesMb))} – ${mb(Math.max(...s.idleSamplesMb))}`),
    row('RSS when ready', (s) => mb(s.rssAtReadyMb)),
    row('peak RSS (VmHWM)', (s) => mb(s.peakRssMb)),
    row('seconds to ready', (s) => String(round(s.secondsToReady, 1))),
    row('threads', (s) => String(s.threads)),
    '',
    'Where the idle memory is, read after the samples (opening the inspector and walking the heap cost a few MB):',
    '',
    `| MB | ${columns.join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    row('RSS at the breakdown', (s) => mb(s.breakdown.rssMb)),
    row('V8 heap committed (used)', (s) => `${mb(s.breakdown.heapTotalMb)} (${mb(s.breakdown.heapUsedMb)})`),
    ...spaces.map((space) => row(`&nbsp;&nbsp;${space} (used)`, (s) => {
      const v = s.breakdown.heapSpaces[space];
      return v ? `${mb(v.committedMb)} (${mb(v.usedMb)})` : '–';
    })),
    row('PGlite WebAssembly memory resident (size)', (s) => wasm(s).slice(0, 1).map((m) => `${mb(m.residentMb)} (${mb(m.sizeMb)})`).join('') || '–'),
    row('other WebAssembly memories resident', (s) => mb(wasm(s).slice(1).reduce((sum, m) => sum + m.residentMb, 0))),
    row('ArrayBuffers (Buffers)', (s) => mb(s.breakdown.arrayBuffersMb)),
    row('files (node binary, libraries, addons)', (s) => mb(s.breakdown.fileMb)),
    row('native rest: malloc, compiled code, stacks', (s) => mb(s.breakdown.nativeRestMb)),
    row('&nbsp;&nbsp;of which the main thread\'s malloc heap', (s) => mb(s.breakdown.mallocMainMb)),
    '',
    `Aim: idle RSS at most ${report.limitMb} MB on every start: ${report.passed ? 'met' : '**missed**'}.`,
    '',
  ].join('\n');
}
