import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build, version as esbuildVersion } from 'esbuild';

/** The bundled GraphiQL app, ready to serve. */
export interface GraphiqlBundle {
  js: string;
  css: string;
  /** Changes whenever the inputs do; used as the ETag. */
  key: string;
}

/** Options for {@link buildGraphiqlBundle}. */
export interface GraphiqlBundleOptions {
  /** Directory to keep built bundles in across restarts (e.g. `<DATA_DIR>/graphiql`); default memory only. */
  cacheDir?: string;
}

const entry = path.join(__dirname, 'graphiql-app.tsx');

function installedVersion(pkg: string): string {
  const file = require.resolve(`${pkg}/package.json`, { paths: [__dirname] });
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** A key over everything that shapes the output, so an upgrade or an edit of the entry rebuilds. */
function bundleKey(): string {
  const inputs = [
    fs.readFileSync(entry, 'utf8'),
    esbuildVersion,
    ...['graphiql', '@graphiql/react', 'react', 'react-dom', 'graphql'].map((pkg) => `${pkg}@${installedVersion(pkg)}`),
  ];
  return createHash('sha256').update(inputs.join('\n')).digest('hex').slice(0, 16);
}

async function compile(key: string): Promise<GraphiqlBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: 'graphiql',
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const output = (ext: string) => result.outputFiles.find((file) => file.path.endsWith(ext))?.text ?? '';
  return { js: output('.js'), css: output('.css'), key };
}

function readCache(dir: string, key: string): GraphiqlBundle | undefined {
  try {
    return {
      js: fs.readFileSync(path.join(dir, key, 'graphiql.js'), 'utf8'),
      css: fs.readFileSync(path.join(dir, key, 'graphiql.css'), 'utf8'),
      key,
    };
  } catch {
    return undefined;
  }
}

function writeCache(dir: string, bundle: GraphiqlBundle): void {
  // Write beside, then rename: a second process starting at the same moment never reads half a file.
  const target = path.join(dir, bundle.key);
  const staging = `${target}.${process.pid}.tmp`;
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, 'graphiql.js'), bundle.js);
  fs.writeFileSync(path.join(staging, 'graphiql.css'), bundle.css);
  try {
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

const building = new Map<string, Promise<GraphiqlBundle>>();

/**
 * Bundles GraphiQL, React and the entry with esbuild from node_modules, once
 * per process and cache directory (the disk cache survives restarts). Works offline.
 */
export function buildGraphiqlBundle(options: GraphiqlBundleOptions = {}): Promise<GraphiqlBundle> {
  const key = bundleKey();
  const memoKey = `${options.cacheDir ?? ''}:${key}`;
  let pending = building.get(memoKey);
  if (!pending) {
    pending = (async () => {
      const cached = options.cacheDir ? readCache(options.cacheDir, key) : undefined;
      if (cached) return cached;
      const bundle = await compile(key);
      if (options.cacheDir) writeCache(options.cacheDir, bundle);
      return bundle;
    })();
    // A failed build must not stick: the next request tries again.
    pending.catch(() => building.delete(memoKey));
    building.set(memoKey, pending);
  }
  return pending;
}
