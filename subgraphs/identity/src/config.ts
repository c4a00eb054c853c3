import { flag, loadConfig, port, serviceNames, subgraphBaseConfigSchema } from '@meridian/platform';
import { z } from 'zod';

/** Identity's settings; defaults give the embedded mode. */
export const identityConfigSchema = subgraphBaseConfigSchema.extend({
  IDENTITY_PORT: port(4201),
  /** Services whose service tokens may look customers up at `/internal/identity/...`, comma-separated; default `payments`. */
  IDENTITY_API_CALLERS: serviceNames(['payments']),
  /** Access token lifetime in seconds; default 600 (10 minutes). */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  /** Refresh token lifetime in days; default 30. */
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** JWKS JSON of private ES256 keys signing access tokens, newest first. Required in production. */
  IDENTITY_SIGNING_KEYS: z.string().optional(),
  /** Run migrations at start-up; default: only in embedded mode (no DATABASE_URL). */
  MIGRATE_ON_START: flag(false).optional(),
});

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

/** Loads identity's configuration from the environment. */
export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadConfig(identityConfigSchema, env);
}
