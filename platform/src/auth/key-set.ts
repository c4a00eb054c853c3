import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/** One ES256 signing key with its public half. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** When the key was made: its JWK's `iat` (seconds), which {@link generatePrivateJwk} writes; unknown for keys made without it. */
  createdAt?: Date;
}

/** Signing keys, newest (active) first; older keys stay published so their tokens verify until they expire. */
export interface KeySet {
  active: SigningKey;
  keys: SigningKey[];
  /** The public JSON Web Key Set to publish. */
  jwks(): { keys: JWK[] };
}

const ALG = 'ES256';

/** Builds a key set from private JWKs, the first being the active one. */
export async function createKeySet(privateJwks: JWK[]): Promise<KeySet> {
  if (privateJwks.length === 0) throw new Error('A key set needs at least one key');
  const keys = await Promise.all(
    privateJwks.map(async (jwk): Promise<SigningKey> => {
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new Error('Signing keys must be private P-256 (ES256) JWKs');
      const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
      const privateKey = (await importJWK({ ...jwk, alg: ALG }, ALG)) as CryptoKey;
      const { d: _private, ...publicPart } = jwk;
      const iat = (jwk as JWK & { iat?: unknown }).iat;
      const createdAt = typeof iat === 'number' && Number.isFinite(iat) ? new Date(iat * 1000) : undefined;
      return { kid, privateKey, publicJwk: { ...publicPart, kid, alg: ALG, use: 'sig' }, createdAt };
    }),
  );
  return { active: keys[0], keys, jwks: () => ({ keys: keys.map((k) => k.publicJwk) }) };
}

/**
 * Generates a new private ES256 JWK whose kid is its RFC 7638 thumbprint, stamped with
 * when it was made (`iat`, seconds; a member verifiers ignore, RFC 7517 §4), so its age
 * can be watched and the key rotated in time.
 */
export async function generatePrivateJwk(): Promise<JWK & { iat: number }> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALG, iat: Math.floor(Date.now() / 1000) };
}

/** Options for {@link loadKeySet}. */
export interface LoadKeySetOptions {
  /** JWKS JSON with private keys from configuration; wins when set. */
  configured?: string;
  /** File that persists generated keys (embedded and local mode). */
  file: string;
  /** Whether generating is allowed when nothing is configured (false in production). */
  allowGenerate: boolean;
  /** Name of the setting, for error messages. */
  settingName: string;
}

/**
 * Loads signing keys from configuration, or from `file`, generating and
 * persisting them once when allowed. Concurrent first starts agree on one file.
 */
export async function loadKeySet(options: LoadKeySetOptions): Promise<KeySet> {
  if (options.configured) {
    let parsed: { keys?: JWK[] };
    try {
      parsed = JSON.parse(options.configured) as { keys?: JWK[] };
    } catch {
      throw new Error(`${options.settingName} is not valid JSON`);
    }
    if (!Array.isArray(parsed.keys)) throw new Error(`${options.settingName} must be a JWKS: {"keys": [...]}`);
    return createKeySet(parsed.keys);
  }
  if (!fs.existsSync(options.file)) {
    if (!options.allowGenerate) throw new Error(`${options.settingName} must be set in production`);
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    const content = JSON.stringify({ keys: [await generatePrivateJwk()] }, null, 2);
    try {
      fs.writeFileSync(options.file, content, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const stored = JSON.parse(fs.readFileSync(options.file, 'utf8')) as { keys: JWK[] };
  return createKeySet(stored.keys);
}
