import path from 'node:path';
import type { BaseConfig } from '../config';
import { loadKeySet, type KeySet } from './key-set';
import { indexServiceKeys, SERVICE_NAME, type ServicePublicKey, type ServiceTrustedKeys } from './service-token';

/**
 * The services that sign service tokens today: the gateway, the two BFFs, payments and insights.
 * Outside production each gets its own key under `DATA_DIR/keys/`, and every
 * verifier trusts exactly these; a new calling service adds its name here.
 */
export const SIGNING_SERVICES = ['gateway', 'bff-web', 'bff-mobile', 'payments', 'insights'] as const;

function devKeyFile(config: BaseConfig, service: string): string {
  return path.join(config.DATA_DIR, 'keys', `service-${service}.json`);
}

/**
 * Loads this service's own keys for signing service tokens: `SERVICE_SIGNING_KEYS`
 * (only this service's private keys), or outside production the key generated
 * once for `service` under DATA_DIR.
 */
export function loadServiceSigningKeys(config: BaseConfig, service: string): Promise<KeySet> {
  if (!SERVICE_NAME.test(service)) throw new Error(`"${service}" is not a service name`);
  return loadKeySet({
    configured: config.SERVICE_SIGNING_KEYS,
    file: devKeyFile(config, service),
    allowGenerate: config.NODE_ENV !== 'production',
    settingName: 'SERVICE_SIGNING_KEYS',
  });
}

/** The public halves of `keys`, each marked as `service`'s. */
export function servicePublicKeys(service: string, keys: KeySet): ServicePublicKey[] {
  return keys.jwks().keys.map((jwk) => ({ ...jwk, kid: jwk.kid as string, service }));
}

/**
 * Public keys accepted on service tokens, each naming the service that owns it:
 * `SERVICE_TRUSTED_KEYS`, or outside production the development keys of every
 * one of {@link SIGNING_SERVICES} (generated on first use, so a verifier that
 * starts before its callers already knows their keys). Required in production.
 */
export async function loadServiceTrustedKeys(config: BaseConfig): Promise<ServiceTrustedKeys> {
  if (config.SERVICE_TRUSTED_KEYS) {
    let parsed: { keys?: unknown };
    try {
      parsed = JSON.parse(config.SERVICE_TRUSTED_KEYS) as { keys?: unknown };
    } catch {
      throw new Error('SERVICE_TRUSTED_KEYS is not valid JSON');
    }
    try {
      return { keys: [...indexServiceKeys(parsed).values()] };
    } catch (err) {
      throw new Error(`SERVICE_TRUSTED_KEYS: ${(err as Error).message}`);
    }
  }
  if (config.NODE_ENV === 'production') throw new Error('SERVICE_TRUSTED_KEYS must be set in production');
  const keys: ServicePublicKey[] = [];
  for (const service of SIGNING_SERVICES) {
    const own = await loadKeySet({
      file: devKeyFile(config, service),
      allowGenerate: true,
      settingName: 'SERVICE_TRUSTED_KEYS',
    });
    keys.push(...servicePublicKeys(service, own));
  }
  return { keys };
}
