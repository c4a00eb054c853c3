// The production build's initial JavaScript (what index.html loads, with everything that
// statically imports) must stay under 250 KB gzipped; screens load later, on their own.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureWebAppBuilt } from '../scripts/ensure-web-app-built';

/** The budget, gzipped. */
const BUDGET_BYTES = 250 * 1024;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

let dist: string;
let manifest: Record<string, ManifestChunk>;
let html: string;

beforeAll(async () => {
  ({ dir: dist } = await ensureWebAppBuilt());
  manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
}, 600_000);

/** The entry chunks and, transitively, every chunk they import statically (not `import()`). */
function initialFiles(): Set<string> {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return files;
}

/** The scripts and module preloads index.html itself names. */
function filesNamedByHtml(): string[] {
  const named = [...html.matchAll(/<script[^>]*\bsrc="\/([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((m) => m[1]);
  return [...new Set(named)];
}

describe('the production build', () => {
  it('loads no inline script: index.html names its scripts by URL only', () => {
    expect([...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].every((m) => m[1].trim() === '' && /\bsrc=/.test(m[0]))).toBe(true);
    expect(filesNamedByHtml().length).toBeGreaterThan(0);
  });

  it('keeps its initial JavaScript under 250 KB gzipped, with every screen split off', () => {
    const initial = initialFiles();
    // What index.html loads is part of what is counted.
    for (const file of filesNamedByHtml()) expect(initial).toContain(file);
    const sizes = [...initial].filter((file) => file.endsWith('.js')).map((file) => ({ file, gzip: gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length }));
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    expect(total).toBeGreaterThan(0);
    if (total >= BUDGET_BYTES) throw new Error(`initial JavaScript is ${Math.round(total / 1024)} KB gzipped, over the 250 KB budget: ${JSON.stringify(sizes)}`);
    // The screens are code-split: none of them is in the initial load.
    const screens = Object.entries(manifest).filter(([key]) => /-screen\.tsx$/.test(key));
    expect(screens.length).toBeGreaterThanOrEqual(9);
    for (const [, chunk] of screens) expect(initial).not.toContain(chunk.file);
  });
});
