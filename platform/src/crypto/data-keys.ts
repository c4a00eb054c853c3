import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BaseConfig } from '../config';
import { createBlindIndex, createEnvelope, createMasterKeyRing, type Envelope } from './envelope';

/** The keys that protect personal data: the master keys of the envelope and the blind-index key. */
export interface DataProtection {
  envelope: Envelope;
  /** HMAC of a value for equality lookups, e.g. `blindIndex(taxId, 'kyc.tax_id')`. */
  blindIndex: (value: string, purpose: string) => string;
}

interface StoredDataKeys {
  masterKeys: { kid: string; k: string }[];
  blindIndexKey: string;
}

function parse(json: string, setting: string): StoredDataKeys {
  let parsed: Partial<StoredDataKeys>;
  try {
    parsed = JSON.parse(json) as Partial<StoredDataKeys>;
  } catch {
    throw new Error(`${setting} is not valid JSON`);
  }
  if (!Array.isArray(parsed.masterKeys) || typeof parsed.blindIndexKey !== 'string') {
    throw new Error(`${setting} must be {"masterKeys": [{"kid": "...", "k": "<32 bytes, base64url>"}], "blindIndexKey": "<base64url>"}`);
  }
  return parsed as StoredDataKeys;
}

/** Fresh data keys: one master key and a blind-index key. */
export function generateDataKeys(kid = `mk-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`): StoredDataKeys {
  return { masterKeys: [{ kid, k: randomBytes(32).toString('base64url') }], blindIndexKey: randomBytes(32).toString('base64url') };
}

/**
 * The data-protection keys: `DATA_PROTECTION_KEYS` (JSON; master keys active
 * first, so a rotation puts the new one in front and keeps the old), or
 * outside production a set generated once under `DATA_DIR/keys/`.
 */
export function loadDataProtection(config: BaseConfig): DataProtection {
  let stored: StoredDataKeys;
  if (config.DATA_PROTECTION_KEYS) {
    stored = parse(config.DATA_PROTECTION_KEYS, 'DATA_PROTECTION_KEYS');
  } else {
    if (config.NODE_ENV === 'production') throw new Error('DATA_PROTECTION_KEYS must be set in production');
    const file = path.join(config.DATA_DIR, 'keys', 'data-protection.json');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      try {
        fs.writeFileSync(file, JSON.stringify(generateDataKeys(), null, 2), { flag: 'wx', mode: 0o600 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    stored = parse(fs.readFileSync(file, 'utf8'), file);
  }
  const ring = createMasterKeyRing(stored.masterKeys.map(({ kid, k }) => ({ kid, key: Buffer.from(k, 'base64url') })));
  return { envelope: createEnvelope(ring), blindIndex: createBlindIndex(Buffer.from(stored.blindIndexKey, 'base64url')) };
}
