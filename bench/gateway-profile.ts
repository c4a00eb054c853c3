import fs from 'node:fs';
import path from 'node:path';
import { writeAtomically } from './ledger-report';
import { profileMarkdown, summariseProfile } from './profile-summary';

/**
 * The profile of a target's measured runs (its main thread's `.cpuprofile`, from when the
 * runs started): a Markdown summary and folded stacks for a flame graph, next to the logs and,
 * unless --no-write, in bench/results/gateway-<date>-profile-<scenario>-<target>.{md,folded}.
 */
export function writeProfile(dir: string, pid: number, name: string, fromMs: number, keep: boolean): void {
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.0.`));
  if (!file) {
    console.error(`  no CPU profile of ${name} (pid ${pid}) in ${dir}`);
    return;
  }
  const summary = summariseProfile(path.join(dir, file), fromMs);
  const base = `gateway-${new Date().toISOString().slice(0, 10)}-profile-${name}`;
  const markdownText = profileMarkdown(`CPU profile: ${name}`, summary);
  const targets = [dir, ...(keep ? [path.resolve(__dirname, 'results')] : [])];
  for (const target of targets) {
    writeAtomically(path.join(target, `${base}.md`), markdownText);
    writeAtomically(path.join(target, `${base}.folded`), summary.folded);
  }
  console.log(`  profile of ${name}: ${Math.round(summary.busyMs)} ms sampled; top: ${summary.self.slice(0, 3).map((e) => `${e.frame} ${(e.share * 100).toFixed(1)} %`).join(', ')}`);
  if (keep) console.log(`  wrote bench/results/${base}.md and .folded`);
}
