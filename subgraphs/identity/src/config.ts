import { flag, loadConfig, port, serviceNames, subgraphBaseConfigSchema } from '@meridian/platform';
import { z } from 'zod';

/** Identity's settings; defaults give the embedded mode. */
export const identityConfigSchema = subgraphBaseConfigSchema.extend({
  IDENTITY_PORT: port(4201),
  /** Services whose service tokens may look customers up at `/internal/identity/...`, comma-separated; default `payments`. */
  IDENTITY_API_CALLERS: serviceNames(['payments']),
  /** Services that may exchange API keys for access tokens at `/internal/identity/api-keys/...`, comma-separated; default `bff-web`. */
  IDENTITY_API_KEY_CALLERS: serviceNames(['bff-web']),
  /** Lifetime in seconds of an access token exchanged for an API key; default 300. Never longer than ACCESS_TOKEN_TTL_SECONDS. */
  API_KEY_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
  /** Access token lifetime in seconds; default 600 (10 minutes). */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  /** Refresh token lifetime in days; default 30. */
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** JWKS JSON of private ES256 keys signing access tokens, newest first. Required in production. */
  IDENTITY_SIGNING_KEYS: z.string().optional(),
  /**
   * Seconds a new key in IDENTITY_SIGNING_KEYS is published in the JWKS before it signs; default 600. Longer than a
   * rollout of identity plus the verifiers' JWKS refetch cooldown (30 s), so no verifier meets a `kid` it cannot fetch.
   */
  IDENTITY_KEY_ACTIVATION_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Run migrations at start-up; default: only in embedded mode (no DATABASE_URL). */
  MIGRATE_ON_START: flag(false).optional(),
  /**
   * Roles whose every sign-in needs a second factor even without an authenticator app (then an emailed or texted
   * code), comma-separated; default `SUPPORT,COMPLIANCE,ADMIN`. Users with an authenticator app always give one.
   */
  IDENTITY_MFA_REQUIRED_ROLES: z
    .string()
    .default('SUPPORT,COMPLIANCE,ADMIN')
    .transform((value) => value.split(',').map((role) => role.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['CUSTOMER', 'SUPPORT', 'COMPLIANCE', 'ADMIN']))),
  /**
   * The web dashboard's public address, where the links in identity's emails lead
   * (`/verify-email?token=…`, `/reset-password?token=…`). Required in production;
   * default http://localhost:4000 (the web BFF) otherwise.
   */
  IDENTITY_PUBLIC_WEB_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Run the audit sealer, which hash-chains new audit entries, in this process; default true. Replicas take turns. */
  IDENTITY_WORKERS: flag(true),
});

export type IdentityConfig = z.infer<typeof identityConfigSchema>;

/** Loads identity's configuration from the environment. */
export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadConfig(identityConfigSchema, env);
}
