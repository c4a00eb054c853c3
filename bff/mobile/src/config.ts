import { bffConfigSchema, maxDepthSetting } from '@meridian/bff-core';
import { loadConfig, port } from '@meridian/platform';
import type { z } from 'zod';

/** The mobile BFF's settings; defaults give the embedded mode. */
export const mobileBffConfigSchema = bffConfigSchema.extend({
  MOBILE_BFF_PORT: port(4001),
  /** Deepest query the app may send; default 10 (its screens are flatter than the dashboard's). */
  MOBILE_MAX_DEPTH: maxDepthSetting(10),
});

export type MobileBffConfig = z.infer<typeof mobileBffConfigSchema>;

/** Loads the mobile BFF's configuration from the environment. */
export function loadMobileBffConfig(env: NodeJS.ProcessEnv = process.env): MobileBffConfig {
  return loadConfig(mobileBffConfigSchema, env);
}
