import fs from 'node:fs';
import path from 'node:path';
import type { InstrumentationBase, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { satisfies } from 'semver';
import { startTracing, type TelemetrySettings } from '../telemetry';

/** Tracing in a test process, exporting to memory. */
export interface TestTelemetry {
  /** Every span ended so far, as it would have been exported (personal data masked). */
  spans(): ReadableSpan[];
  /** Forgets the spans ended so far. */
  reset(): void;
  stop(): Promise<void>;
}

/**
 * The directory and version of the installed package `name`, as this file resolves it: the
 * `node_modules/<name>` its entry point is in (a package may keep another manifest under it, as
 * node-redis does in `dist/`), as the require hooks find it.
 */
function installed(name: string): { dir: string; version: string } | undefined {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return undefined;
  }
  const root = path.join('node_modules', name);
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (!dir.endsWith(root)) continue;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ? { dir, version: manifest.version } : undefined;
  }
  return undefined;
}

/**
 * Applies an instrumentation's patches to the modules as this process loads them. Jest
 * loads modules through a registry of its own, which the require hooks an instrumentation
 * sets up never see; the patches are the same, applied here instead.
 */
function patchLoadedModules(definition: InstrumentationModuleDefinition): void {
  const core = definition.name.startsWith('node:') || ['http', 'https'].includes(definition.name);
  // Jest hands out core modules through Node's own require, which the hooks do see: requiring one is enough.
  if (core) require(definition.name);
  const found = core ? { dir: '', version: process.versions.node } : installed(definition.name);
  if (!found) return;
  const supported = (ranges: string[]) => core || satisfies(found.version, ranges.join(' || '), { includePrerelease: true });
  // A module the require hooks did see (a core module required afterwards) is patched already.
  if (definition.patch && definition.moduleExports === undefined && supported(definition.supportedVersions)) {
    definition.moduleExports = require(definition.name);
    definition.patch(definition.moduleExports, found.version);
  }
  for (const file of definition.files) {
    if (file.moduleExports !== undefined || !supported(file.supportedVersions)) continue;
    const filePath = path.join(found.dir, path.relative(definition.name, file.name));
    let exports: unknown;
    try {
      exports = require(filePath);
    } catch {
      // Not there, or needs what is not installed (pg's native binding): nothing loads it here either.
      continue;
    }
    file.moduleExports = exports;
    file.patch(exports, found.version);
  }
}

/**
 * Starts tracing as a server's process does (the same instrumentations,
 * sampler, `meridian.server` attribution and masking) with every span exported
 * to memory as it ends. Call it before the servers are created. Default
 * settings: every trace sampled.
 */
export function startTestTelemetry(settings: Partial<TelemetrySettings> = {}): TestTelemetry {
  const { InMemorySpanExporter: Exporter } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const exporter: InMemorySpanExporter = new Exporter();
  const tracing = startTracing('meridian-test', { NODE_ENV: 'test', TRACE_SAMPLE_RATIO: 1, ...settings }, { exporter });
  if (!tracing) throw new Error('tracing did not start');
  for (const instrumentation of tracing.instrumentations) {
    for (const definition of (instrumentation as InstrumentationBase).getModuleDefinitions()) patchLoadedModules(definition);
  }
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    stop: tracing.stop,
  };
}
