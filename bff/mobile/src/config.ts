import { bffConfigSchema, queryLimitSettings, trustedDocumentsModeFor, trustedDocumentsSetting, type QueryLimits, type TrustedDocumentsMode } from '@meridian/bff-core';
import { loadConfig, port } from '@meridian/platform';
import { z } from 'zod';

/** Default limits of the mobile client (each overridable with `MOBILE_MAX_…`). */
export const mobileLimits: QueryLimits = { maxDepth: 10, maxAliases: 20, maxDirectives: 30, maxTokens: 3_000, maxRootFields: 10, maxCost: 3_000, defaultListSize: 10 };

/** The mobile BFF's settings; defaults give the embedded mode. */
export const mobileBffConfigSchema = bffConfigSchema.extend({
  MOBILE_BFF_PORT: port(4001),
  /** Internal port of `/metrics` (Prometheus); never routed by the ingress. */
  MOBILE_BFF_METRICS_PORT: port(9401),
  ...queryLimitSettings('MOBILE', mobileLimits),
  /**
   * `required`: only documents from the app's manifest run (`{"documentId": "sha256:…"}`);
   * `optional`: free-text `query` is accepted too. Default `required` in production, else `optional`.
   */
  MOBILE_TRUSTED_DOCUMENTS: trustedDocumentsSetting(),
  /** Largest request body of /graphql in bytes; default 32 KiB (a document id and its variables need far less). */
  MOBILE_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(1_048_576).default(32 * 1024),
});

export type MobileBffConfig = z.infer<typeof mobileBffConfigSchema>;

/** Whether the mobile BFF runs trusted documents only: `MOBILE_TRUSTED_DOCUMENTS`, else required exactly in production. */
export function trustedDocumentsMode(config: MobileBffConfig): TrustedDocumentsMode {
  return trustedDocumentsModeFor(config.MOBILE_TRUSTED_DOCUMENTS, config.NODE_ENV);
}

/** Loads the mobile BFF's configuration from the environment. */
export function loadMobileBffConfig(env: NodeJS.ProcessEnv = process.env): MobileBffConfig {
  return loadConfig(mobileBffConfigSchema, env);
}
