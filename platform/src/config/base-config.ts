import path from 'node:path';
import { z } from 'zod';
import { loadConfig, serviceNames } from './load-config';

/** Repository root, so `.data/` lands in the same place whatever the working directory. */
export const repoRoot = path.resolve(__dirname, '../../..');

/** Settings every Meridian server shares. Defaults give the embedded mode. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Real PostgreSQL; unset means embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Real Redis; unset means in-memory adapters. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(500),
  /**
   * Prefix of the shared Redis keys (event streams, session revocations, the key-value store, the
   * BFFs' response cache): two deployments on one Redis each need their own. No braces: a stream's
   * key adds a Redis Cluster hash tag of its own.
   */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[^{}\s]*$/, 'may not contain braces or spaces')
    .default('meridian:'),
  DATA_DIR: z.string().default(path.join(repoRoot, '.data')),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /**
   * Share of new traces sampled, 0 to 1; a trace begun elsewhere follows its caller's decision, and a
   * trace that fails is kept whatever was decided. Default 1, in production 0.1.
   */
  TRACE_SAMPLE_RATIO: z.coerce.number().min(0).max(1).optional(),
  /**
   * JWKS (JSON) of this service's own private ES256 keys that sign its service tokens; first is active.
   * Generated per service under DATA_DIR when unset outside production.
   */
  SERVICE_SIGNING_KEYS: z.string().optional(),
  /**
   * JWKS (JSON) of the public keys accepted on service tokens, each naming the service that owns it
   * (`"service": "bff-web"`). Outside production, defaults to the development keys of every calling service.
   */
  SERVICE_TRUSTED_KEYS: z.string().optional(),
  /**
   * JSON `{"masterKeys": [{"kid", "k"}], "blindIndexKey"}` protecting personal data (envelope
   * encryption, blind indexes); the first master key is active. Generated under DATA_DIR outside production.
   */
  DATA_PROTECTION_KEYS: z.string().optional(),
  /** Where the encrypted object store keeps files (uploads, documents); default `<DATA_DIR>/objects`. Servers that share files share it. */
  OBJECT_STORE_DIR: z.string().optional(),
  HOST: z.string().default('127.0.0.1'),
  /** `iss` of user access tokens. */
  ACCESS_TOKEN_ISSUER: z.string().default('https://identity.meridian.local'),
  /** `aud` of user access tokens. */
  ACCESS_TOKEN_AUDIENCE: z.string().default('meridian-api'),
  /** Where subgraphs fetch identity's public keys. */
  IDENTITY_JWKS_URL: z.url().default('http://127.0.0.1:4201/.well-known/jwks.json'),
  /**
   * How SMS and email go out: `webhook` posts them to NOTIFICATIONS_WEBHOOK_URL; `dev-mailbox` keeps them
   * in the key-value store to be read back. Unset means `dev-mailbox` outside production; production needs `webhook`.
   */
  NOTIFICATIONS: z.enum(['dev-mailbox', 'webhook']).optional(),
  /** The notification service's endpoint, for NOTIFICATIONS=webhook. */
  NOTIFICATIONS_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Standard Webhooks secret (`whsec_` then base64) signing every message sent to the notification service. */
  NOTIFICATIONS_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be "whsec_" followed by base64').optional(),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** The services that run the federation gateway: the only callers of a subgraph's `/graphql` by default. */
export const GATEWAY_SERVICES: readonly string[] = ['gateway', 'bff-web', 'bff-mobile'];

/** Settings every subgraph shares. */
export const subgraphBaseConfigSchema = baseConfigSchema.extend({
  /** Services whose service tokens may call this subgraph's `/graphql`; default the gateway and both BFFs. */
  GRAPH_CALLERS: serviceNames(GATEWAY_SERVICES),
  /**
   * How recent a second factor must be (the access token's `auth_time`) for operations that ask for a
   * step-up: adding a payee, large payments, contact and password changes, revealing personal data.
   * Seconds; default 300 (5 minutes).
   */
  STEP_UP_MAX_AGE_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
});

export type SubgraphBaseConfig = z.infer<typeof subgraphBaseConfigSchema>;

/** Loads the shared settings alone. */
export function loadBaseConfig(env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return loadConfig(baseConfigSchema, env);
}
