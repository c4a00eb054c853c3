// Where a process spent its CPU, from a V8 `.cpuprofile` (`node --cpu-prof`): the busiest
// functions by self time and by time with their callees, and by package, over a window of the
// profile (the measured runs, not start-up), as a Markdown summary; and the same samples as
// folded stacks (`frame;frame;frame count` per line), which flame graph tools read.
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** What a profile says about a window of it. */
export interface ProfileSummary {
  /** CPU time sampled in the window, idle left out, in ms. */
  busyMs: number;
  /** Share of busy time by function itself, by function with what it calls, by package. */
  self: { frame: string; share: number }[];
  inclusive: { frame: string; share: number }[];
  packages: { name: string; share: number }[];
  /** Folded stacks of the window, root first, with sample time in µs; stacks under 0.02 % of it are summed as one. */
  folded: string;
}

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*?\/(bff|platform|supergraph|bench|subgraphs)\//, '$1/');

function frameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return url ? `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
}

/** A frame as the folded stacks write it: the function and the file's last two path segments. */
function foldedFrameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  return (url ? `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}` : functionName || '(anonymous)').replace(/[;\n]/g, ',');
}

function packageOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return short(url).split('/').slice(0, 2).join('/');
}

/** Summarises the samples taken from `fromMs` after the profile started (`top` entries each). */
export function summariseProfile(file: string, fromMs: number, top = 30): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const timeOf = new Map<number, number>();
  let t = 0;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromMs * 1000) continue;
    const node = byId.get(profile.samples[i])!;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += delta;
    timeOf.set(node.id, (timeOf.get(node.id) ?? 0) + delta);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  const folded = new Map<string, number>();
  for (const [id, time] of timeOf) {
    const node = byId.get(id)!;
    self.set(frameOf(node), (self.get(frameOf(node)) ?? 0) + time);
    packages.set(packageOf(node), (packages.get(packageOf(node)) ?? 0) + time);
    const stack: string[] = [];
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = frameOf(byId.get(cursor)!);
      stack.push(foldedFrameOf(byId.get(cursor)!));
      if (!seen.has(frame)) {
        seen.add(frame);
        inclusive.set(frame, (inclusive.get(frame) ?? 0) + time);
      }
    }
    const line = stack.reverse().join(';');
    folded.set(line, (folded.get(line) ?? 0) + time);
  }
  let small = 0;
  for (const [line, time] of folded) {
    if (time >= busy * 0.0002) continue;
    small += time;
    folded.delete(line);
  }
  if (small > 0) folded.set('(root);(smaller stacks)', small);
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, time]) => ({ frame, share: busy ? time / busy : 0 }));
  return {
    busyMs: busy / 1000,
    self: ranked(self),
    inclusive: ranked(inclusive).filter((e) => !/^\((root|program)\)/.test(e.frame)),
    packages: ranked(packages).map(({ frame, share }) => ({ name: frame, share })),
    folded: [...folded].map(([stack, time]) => `${stack} ${Math.round(time)}`).join('\n') + '\n',
  };
}

/** The summary as Markdown. */
export function profileMarkdown(title: string, summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  const lines = [`# ${title}`, '', `${Math.round(summary.busyMs)} ms of CPU sampled in the measured runs (idle left out).`, ''];
  lines.push('## By package (self time)', '', '| package | share |', '|---|---:|');
  for (const p of summary.packages) lines.push(`| ${p.name} | ${pct(p.share)} |`);
  lines.push('', '## Functions by self time', '', '| function | share |', '|---|---:|');
  for (const e of summary.self) lines.push(`| \`${e.frame}\` | ${pct(e.share)} |`);
  lines.push('', '## Functions with what they call', '', '| function | share |', '|---|---:|');
  for (const e of summary.inclusive) lines.push(`| \`${e.frame}\` | ${pct(e.share)} |`);
  return `${lines.join('\n')}\n`;
}
