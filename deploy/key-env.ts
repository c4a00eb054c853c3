/**
 * The signing keys of a deployment as environment variables, and how they are
 * made, rotated and retired: each signing service (the gateway, the BFFs,
 * payments, insights) has its own private keys
 * (`<SERVICE>_SERVICE_SIGNING_KEYS`, handed to that service alone as
 * `SERVICE_SIGNING_KEYS`), every verifier holds the public set
 * (`SERVICE_TRUSTED_KEYS`, each key naming its owner), and identity alone
 * holds `IDENTITY_SIGNING_KEYS` for user access tokens.
 */
import { generateDataKeys, generatePrivateJwk, generateWebhookSecret, SIGNING_SERVICES } from '@meridian/platform';

/** A JSON Web Key as the platform makes them. */
type JWK = Awaited<ReturnType<typeof generatePrivateJwk>>;

/** A deployment's key variables by name. */
export type KeyEnv = Record<string, string>;

/** The variable holding a signing service's private keys, e.g. `BFF_WEB_SERVICE_SIGNING_KEYS`. */
export function signingKeysVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_SERVICE_SIGNING_KEYS`;
}

/** What a key set can be rotated for: a signing service, or `identity` (user access tokens). */
export type KeyOwner = (typeof SIGNING_SERVICES)[number] | 'identity';
export const KEY_OWNERS: readonly KeyOwner[] = [...SIGNING_SERVICES, 'identity'];

function jwks(value: string | undefined, name: string): JWK[] {
  if (!value) throw new Error(`${name} is missing`);
  const parsed = JSON.parse(value) as { keys?: JWK[] };
  if (!Array.isArray(parsed.keys)) throw new Error(`${name} is not a JWKS`);
  return parsed.keys;
}

const publicHalf = ({ d: _private, ...pub }: JWK, service: string) => ({ ...pub, service });
const variableOf = (owner: KeyOwner) => (owner === 'identity' ? 'IDENTITY_SIGNING_KEYS' : signingKeysVariable(owner));

/** Fresh keys for every signing service and for identity, with the public set every verifier trusts. */
export async function generateKeyEnv(): Promise<KeyEnv> {
  const env: KeyEnv = {};
  const trusted: JWK[] = [];
  for (const service of SIGNING_SERVICES) {
    const key = await generatePrivateJwk();
    env[signingKeysVariable(service)] = JSON.stringify({ keys: [key] });
    trusted.push(publicHalf(key, service));
  }
  env.SERVICE_TRUSTED_KEYS = JSON.stringify({ keys: trusted });
  env.IDENTITY_SIGNING_KEYS = JSON.stringify({ keys: [await generatePrivateJwk()] });
  env.DATA_PROTECTION_KEYS = JSON.stringify(generateDataKeys());
  env.KYC_WEBHOOK_SECRETS = generateWebhookSecret();
  env.PAYMENTS_WEBHOOK_SECRETS = generateWebhookSecret();
  env.NOTIFICATIONS_WEBHOOK_SECRET = generateWebhookSecret();
  return env;
}

/**
 * A new master key for personal data, first (it seals from the next deploy); the old ones
 * stay, since everything sealed with them still opens with them until it is rewrapped.
 */
export function rotateDataKeys(env: KeyEnv): KeyEnv {
  const current = JSON.parse(env.DATA_PROTECTION_KEYS ?? 'null') as { masterKeys: { kid: string; k: string }[]; blindIndexKey: string } | null;
  if (!current) throw new Error('DATA_PROTECTION_KEYS is missing');
  const [fresh] = generateDataKeys().masterKeys;
  return { ...env, DATA_PROTECTION_KEYS: JSON.stringify({ ...current, masterKeys: [fresh, ...current.masterKeys] }) };
}

/**
 * Step one of a rotation: a new key goes first in `owner`'s signing set (so it
 * signs from the next deploy of that service) and, for a service, into the
 * trusted set next to the old one, so tokens signed with either verify during
 * the overlap. Deploy the verifiers before the service itself. Identity
 * publishes its new key in its JWKS at once but signs with it only
 * IDENTITY_KEY_ACTIVATION_SECONDS after its first replica published it, so
 * every verifier can fetch it first; its old key stays in the set until
 * {@link retireKeys}, and in the JWKS until its last token has expired.
 * A signing service added since the file was made (it has no keys there yet)
 * gets its first key the same way.
 */
export async function rotateKeys(env: KeyEnv, owner: KeyOwner): Promise<KeyEnv> {
  const variable = variableOf(owner);
  const fresh = await generatePrivateJwk();
  const current = owner !== 'identity' && env[variable] === undefined ? [] : jwks(env[variable], variable);
  const next: KeyEnv = { ...env, [variable]: JSON.stringify({ keys: [fresh, ...current] }) };
  if (owner !== 'identity') {
    next.SERVICE_TRUSTED_KEYS = JSON.stringify({ keys: [publicHalf(fresh, owner), ...jwks(env.SERVICE_TRUSTED_KEYS, 'SERVICE_TRUSTED_KEYS')] });
  }
  return next;
}

/**
 * Step two, once every replica of `owner` signs with the new key and its old
 * tokens have aged out (service tokens: 5 minutes; access tokens: identity
 * keeps publishing a retired key until they have, so as soon as the new key
 * signs): only the active key stays in its set and in the trusted set.
 */
export function retireKeys(env: KeyEnv, owner: KeyOwner): KeyEnv {
  const variable = variableOf(owner);
  const [active] = jwks(env[variable], variable);
  const next: KeyEnv = { ...env, [variable]: JSON.stringify({ keys: [active] }) };
  if (owner !== 'identity') {
    const others = jwks(env.SERVICE_TRUSTED_KEYS, 'SERVICE_TRUSTED_KEYS').filter((k) => (k as { service?: string }).service !== owner || k.kid === active.kid);
    next.SERVICE_TRUSTED_KEYS = JSON.stringify({ keys: others });
  }
  return next;
}

/** Reads `NAME=value` lines (values are unquoted JSON), keeping the rest of the file for {@link formatKeyEnv}. */
export function parseEnvFile(text: string): KeyEnv {
  const env: KeyEnv = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

/** Writes the key variables in a fixed order with what each is for; other variables follow unchanged. */
export function formatKeyEnv(env: KeyEnv): string {
  const lines = ['# Meridian signing keys. Private: never commit, share or log this file.'];
  const written = new Set<string>();
  const put = (name: string) => {
    if (env[name] === undefined) return;
    lines.push(`${name}=${env[name]}`);
    written.add(name);
  };
  for (const service of SIGNING_SERVICES) {
    lines.push(`# ${service} only (its SERVICE_SIGNING_KEYS): the private keys of its service tokens, active first.`);
    put(signingKeysVariable(service));
  }
  lines.push('# Every verifier (the subgraphs and the gateway): the public service keys, each naming its service.');
  put('SERVICE_TRUSTED_KEYS');
  lines.push("# identity only: the private keys of user access tokens; everyone else reads identity's JWKS.");
  put('IDENTITY_SIGNING_KEYS');
  lines.push('# The servers that store personal data and files (the BFFs for uploads): master keys, active first, and the blind-index key.');
  put('DATA_PROTECTION_KEYS');
  lines.push('# KYC only: Standard Webhooks secrets of verification-provider webhooks (current first), and of the SMS/email service it posts to.');
  put('KYC_WEBHOOK_SECRETS');
  put('NOTIFICATIONS_WEBHOOK_SECRET');
  lines.push('# payments only: Standard Webhooks secrets of its payment provider (current first).');
  put('PAYMENTS_WEBHOOK_SECRETS');
  for (const [name, value] of Object.entries(env)) if (!written.has(name)) lines.push(`${name}=${value}`);
  return `${lines.join('\n')}\n`;
}
