import { bffConfigSchema, maxDepthSetting } from '@meridian/bff-core';
import { loadConfig, port } from '@meridian/platform';
import type { z } from 'zod';

/** The web BFF's settings; defaults give the embedded mode. */
export const webBffConfigSchema = bffConfigSchema.extend({
  WEB_BFF_PORT: port(4000),
  /** Deepest query the dashboard may send; default 12. */
  WEB_MAX_DEPTH: maxDepthSetting(12),
});

export type WebBffConfig = z.infer<typeof webBffConfigSchema>;

/** Loads the web BFF's configuration from the environment. */
export function loadWebBffConfig(env: NodeJS.ProcessEnv = process.env): WebBffConfig {
  return loadConfig(webBffConfigSchema, env);
}
