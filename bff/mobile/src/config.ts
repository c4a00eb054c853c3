import { bffConfigSchema, queryLimitSettings, type QueryLimits } from '@meridian/bff-core';
import { loadConfig, port } from '@meridian/platform';
import type { z } from 'zod';

/** Default limits of the mobile client (each overridable with `MOBILE_MAX_…`). */
export const mobileLimits: QueryLimits = { maxDepth: 10, maxAliases: 20, maxDirectives: 30, maxTokens: 3_000, maxRootFields: 10, maxCost: 3_000, defaultListSize: 10 };

/** The mobile BFF's settings; defaults give the embedded mode. */
export const mobileBffConfigSchema = bffConfigSchema.extend({
  MOBILE_BFF_PORT: port(4001),
  ...queryLimitSettings('MOBILE', mobileLimits),
});

export type MobileBffConfig = z.infer<typeof mobileBffConfigSchema>;

/** Loads the mobile BFF's configuration from the environment. */
export function loadMobileBffConfig(env: NodeJS.ProcessEnv = process.env): MobileBffConfig {
  return loadConfig(mobileBffConfigSchema, env);
}
