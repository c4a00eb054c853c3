// What the gateway benchmark's targets run with, and the versions of what it measures.
import fs from 'node:fs';
import path from 'node:path';
import { connectRedis } from '@meridian/platform';
import { parseAllDocuments } from 'yaml';
import { signingKeysVariable } from '../deploy/key-env';
import type { Target } from './gateway-server';

/** Redis's version when it answers at `url`, else undefined (the BFFs then limit in memory). */
export async function redisVersion(url: string): Promise<string | undefined> {
  try {
    const { client } = await connectRedis({ url, commandTimeoutMs: 2_000 });
    try {
      return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
    } finally {
      await client.quit().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}

/** The installed version of a package, or 'unknown'. */
export function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The NODE_OPTIONS a BFF's Kubernetes manifest gives it (its heap size), so the benchmark runs
 * the BFFs as they are deployed; the anchors run with their own defaults.
 */
function deployedNodeOptions(bff: 'bff-web' | 'bff-mobile'): string | undefined {
  const file = path.join(__dirname, '..', 'deploy', 'k8s', 'base', `${bff}.yaml`);
  for (const document of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const manifest = document.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } };
    if (manifest?.kind !== 'Deployment') continue;
    for (const container of manifest.spec?.template?.spec?.containers ?? []) {
      const value = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
      if (value) return value;
    }
  }
  return undefined;
}

/** What every target needs to know: where the supergraph and the subgraphs are, and for the BFFs their whole configuration. */
export function targetEnv(target: Target, base: Record<string, string>): Record<string, string> {
  if (!target.startsWith('bff-')) return base;
  const web = target === 'bff-web';
  const nodeOptions = deployedNodeOptions(web ? 'bff-web' : 'bff-mobile');
  return {
    ...base,
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    ...(web
      ? { WEB_BFF_PORT: '0', WEB_BFF_METRICS_PORT: '0', WEB_TRUSTED_DOCUMENTS: 'required' }
      : { MOBILE_BFF_PORT: '0', MOBILE_BFF_METRICS_PORT: '0', MOBILE_TRUSTED_DOCUMENTS: 'required' }),
    SERVICE_SIGNING_KEYS: base[signingKeysVariable(web ? 'bff-web' : 'bff-mobile')],
    ...(target === 'bff-mobile-no-cache' ? { RESPONSE_CACHE: 'false' } : {}),
    ...(target === 'bff-mobile-engine' ? { SUBGRAPH_FETCH_MERGING: 'false', RESPONSE_CACHE: 'false' } : {}),
  };
}
