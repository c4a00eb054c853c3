import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The app's folder (apps/web). */
export const WEB_APP_ROOT = path.resolve(__dirname, '..');
/** Where the build goes and the web BFF reads it by default. */
export const WEB_APP_DIST = path.join(WEB_APP_ROOT, 'dist');
/** The hash of the inputs a build was made from, kept beside it. */
const STAMP = '.build-hash';
/** Held while one process builds; others wait for it. */
const LOCK = path.join(WEB_APP_ROOT, '.build.lock');
/** A lock older than this was left by a process that died mid-build. */
const STALE_LOCK_MS = 10 * 60_000;

/** The files whose content decides the build: the app, its configuration and the typed client it bundles. */
const INPUT_DIRS = [path.join(WEB_APP_ROOT, 'src'), path.resolve(WEB_APP_ROOT, '../../schema/client/src')];
const INPUT_FILES = ['index.html', 'vite.config.ts', 'package.json'].map((f) => path.join(WEB_APP_ROOT, f));
/** Installed packages whose upgrade changes the output. */
const PACKAGES = ['vite', '@vitejs/plugin-react', 'react', 'react-dom', '@mantine/core', '@mantine/hooks', '@mantine/form', '@mantine/notifications', '@tanstack/react-router', '@tanstack/react-query'];

/** Options for {@link ensureWebAppBuilt}. */
export interface EnsureWebAppBuiltOptions {
  /** Build even when the stamp matches; default false. */
  force?: boolean;
  /** Told when a build starts and ends (one line each); default silent. */
  log?: (line: string) => void;
}

/** What {@link ensureWebAppBuilt} did. */
export interface WebAppBuild {
  dir: string;
  /** True when this call ran Vite; false when the build on disk was current. */
  built: boolean;
  hash: string;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
    })
    .sort();
}

function installedVersion(pkg: string): string {
  // Read from node_modules directly: several of these packages do not export their package.json.
  for (let dir = WEB_APP_ROOT; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'node_modules', pkg, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    if (path.dirname(dir) === dir) return 'missing';
  }
}

/** SHA-256 over every input file (path and content) and the versions of the build's packages. */
export function webAppInputsHash(): string {
  const hash = createHash('sha256');
  for (const file of [...INPUT_DIRS.flatMap(filesUnder), ...INPUT_FILES]) {
    hash.update(`${path.relative(WEB_APP_ROOT, file)}\0`);
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : 'missing');
    hash.update('\0');
  }
  for (const pkg of PACKAGES) hash.update(`${pkg}@${installedVersion(pkg)}\0`);
  return hash.digest('hex');
}

function currentHash(dir: string): string | undefined {
  try {
    if (!fs.existsSync(path.join(dir, 'index.html'))) return undefined;
    return fs.readFileSync(path.join(dir, STAMP), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function viteCli(): string {
  for (let dir = WEB_APP_ROOT; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'node_modules', 'vite', 'bin', 'vite.js');
    if (fs.existsSync(file)) return file;
    if (path.dirname(dir) === dir) throw new Error('Vite is not installed: run `npm install` (the web app builds with its development dependencies).');
  }
}

/** Runs `vite build` into `outDir` in a child process (Vite is ESM-only and needs no place in the caller's heap). */
function runVite(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [viteCli(), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: WEB_APP_ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output.slice(-4000)}`))));
  });
}

/** Takes the build lock, waiting while another live process holds it; false when the lock could not be had in time. */
async function lock(deadline: number): Promise<boolean> {
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - fs.statSync(LOCK).mtimeMs > STALE_LOCK_MS) fs.rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // Released between the two calls: try again.
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Makes sure `apps/web/dist` is a build of the current sources: builds with
 * Vite only when the hash of the inputs (the app's sources and configuration,
 * the typed client, the build packages' versions) differs from the one stored
 * with the last build. Safe when several processes call it at once (Jest
 * workers): one builds under a lock directory while the others wait and then
 * find the build current; the build goes to a temporary directory that
 * replaces `dist` only when complete.
 */
export async function ensureWebAppBuilt(options: EnsureWebAppBuiltOptions = {}): Promise<WebAppBuild> {
  const hash = webAppInputsHash();
  if (!options.force && currentHash(WEB_APP_DIST) === hash) return { dir: WEB_APP_DIST, built: false, hash };
  if (!(await lock(Date.now() + STALE_LOCK_MS))) throw new Error(`Another build of the web app holds ${LOCK}; remove it if no build is running.`);
  try {
    // Another process may have built it while this one waited.
    if (!options.force && currentHash(WEB_APP_DIST) === hash) return { dir: WEB_APP_DIST, built: false, hash };
    options.log?.('building the web dashboard (apps/web) with Vite…');
    const started = Date.now();
    const staging = path.join(WEB_APP_ROOT, `.dist-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await runVite(staging);
      fs.writeFileSync(path.join(staging, STAMP), `${hash}\n`);
      const retired = `${staging}-old`;
      if (fs.existsSync(WEB_APP_DIST)) fs.renameSync(WEB_APP_DIST, retired);
      fs.renameSync(staging, WEB_APP_DIST);
      fs.rmSync(retired, { recursive: true, force: true });
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    options.log?.(`web dashboard built into ${path.relative(process.cwd(), WEB_APP_DIST) || WEB_APP_DIST} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { dir: WEB_APP_DIST, built: true, hash };
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
