import path from 'node:path';
import type { JWK } from 'jose';
import type { BaseConfig } from '../config';
import { loadKeySet, type KeySet } from './key-set';

/** Loads the key set that signs service tokens (configured, or generated under DATA_DIR outside production). */
export function loadServiceSigningKeys(config: BaseConfig): Promise<KeySet> {
  return loadKeySet({
    configured: config.SERVICE_SIGNING_KEYS,
    file: path.join(config.DATA_DIR, 'keys', 'service-signing.json'),
    allowGenerate: config.NODE_ENV !== 'production',
    settingName: 'SERVICE_SIGNING_KEYS',
  });
}

/** Public keys accepted on service tokens: SERVICE_TRUSTED_KEYS, else the public half of the signing keys. */
export async function loadServiceTrustedKeys(config: BaseConfig): Promise<{ keys: JWK[] }> {
  if (config.SERVICE_TRUSTED_KEYS) {
    const parsed = JSON.parse(config.SERVICE_TRUSTED_KEYS) as { keys?: JWK[] };
    if (!Array.isArray(parsed.keys)) throw new Error('SERVICE_TRUSTED_KEYS must be a JWKS: {"keys": [...]}');
    return { keys: parsed.keys.map(({ d: _private, ...pub }) => pub) };
  }
  return (await loadServiceSigningKeys(config)).jwks();
}
