import { bffConfigSchema, queryLimitSettings, trustedDocumentsSetting, type QueryLimits } from '@meridian/bff-core';
import path from 'node:path';
import { loadConfig, port, repoRoot } from '@meridian/platform';
import { z } from 'zod';

/** Default limits of the web client (each overridable with `WEB_MAX_…`). */
export const webLimits: QueryLimits = { maxDepth: 12, maxAliases: 30, maxDirectives: 50, maxTokens: 5_000, maxRootFields: 20, maxCost: 5_000, defaultListSize: 10 };

/** The web BFF's settings; defaults give the embedded mode. */
export const webBffConfigSchema = bffConfigSchema.extend({
  WEB_BFF_PORT: port(4000),
  /** Internal port of `/metrics` (Prometheus); never routed by the ingress. */
  WEB_BFF_METRICS_PORT: port(9400),
  /** A web session ends after this many minutes without a request. */
  WEB_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** A web session ends this many hours after sign-in, however active. */
  WEB_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  /** Failed API-key lookups (unknown, revoked, expired keys) a client address may make per window before it is refused; default 20. */
  WEB_API_KEY_FAILED_LOOKUPS: z.coerce.number().int().min(1).max(100_000).default(20),
  /** That window in minutes; default 15. */
  WEB_API_KEY_FAILED_LOOKUP_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /**
   * The dashboard's build (`npm run build -w apps/web`), served at `/`; default `apps/web/dist`.
   * Without one the BFF starts all the same and `/` answers 404 saying how to build it.
   */
  WEB_APP_DIR: z.string().min(1).default(path.join(repoRoot, 'apps/web/dist')),
  ...queryLimitSettings('WEB', webLimits),
  /**
   * `required`: only documents from the dashboard's manifest run (`{"documentId": "sha256:…"}`);
   * `optional`: free-text `query` is accepted too (GraphiQL, tools). Default `required` in production, else `optional`.
   */
  WEB_TRUSTED_DOCUMENTS: trustedDocumentsSetting(),
});

export type WebBffConfig = z.infer<typeof webBffConfigSchema>;

/** Loads the web BFF's configuration from the environment. */
export function loadWebBffConfig(env: NodeJS.ProcessEnv = process.env): WebBffConfig {
  return loadConfig(webBffConfigSchema, env);
}
