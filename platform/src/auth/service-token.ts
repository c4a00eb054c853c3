import { randomUUID } from 'node:crypto';
import { importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTHeaderParameters } from 'jose';
import { errors } from '../errors';
import { createVerifiedTokenCache } from './verified-tokens';
import type { KeySet } from './key-set';

/** Header that carries the service token on internal calls. */
export const SERVICE_TOKEN_HEADER = 'x-service-token';
const SERVICE_ISSUER = 'meridian-services';
const SERVICE_TYP = 'service+jwt';
const ALG = 'ES256';

/** A service name: lower-case letters, digits and dashes, e.g. `bff-web`. */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Options for {@link createServiceTokenIssuer}. */
export interface ServiceTokenIssuerOptions {
  /** The calling service's name, the token's subject. Verifiers accept it only from a key they hold for this name. */
  service: string;
  /** This service's own signing keys (first active). */
  keys: KeySet;
  /** Lifetime in seconds; default 60. Tokens are reused until 15 s before expiry. */
  ttlSeconds?: number;
}

/** Mints short-lived service tokens whose audience is the target service. */
export function createServiceTokenIssuer(options: ServiceTokenIssuerOptions) {
  const ttl = options.ttlSeconds ?? 60;
  // Verifiers refuse tokens older than 5 minutes, so a longer lifetime would mint tokens that fail.
  if (ttl < 20 || ttl > 300) throw new Error('Service token lifetime must be between 20 and 300 seconds');
  const cache = new Map<string, { token: string; renewAt: number }>();
  return async function serviceTokenFor(audience: string): Promise<string> {
    const cached = cache.get(audience);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    const iat = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALG, kid: options.keys.active.kid, typ: SERVICE_TYP })
      .setIssuer(SERVICE_ISSUER)
      .setSubject(options.service)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .setJti(randomUUID())
      .sign(options.keys.active.privateKey);
    cache.set(audience, { token, renewAt: Date.now() + Math.max(1, ttl - 15) * 1000 });
    return token;
  };
}

export type ServiceTokenIssuer = ReturnType<typeof createServiceTokenIssuer>;

/** A public key trusted on service tokens, with the one service that holds its private half. */
export interface ServicePublicKey extends JWK {
  kid: string;
  /** The service whose tokens this key signs; a token signed with it must name this service as `sub`. */
  service: string;
}

/** The public keys every verifier holds: a JWKS whose keys each name their owner (`service`). */
export interface ServiceTrustedKeys {
  keys: ServicePublicKey[];
}

/**
 * Checks a trusted-keys set and maps key id → owner: every key a public
 * P-256 key with a `kid` of its own and a `service`. Throws naming the problem.
 */
export function indexServiceKeys(trusted: { keys?: unknown }): Map<string, ServicePublicKey> {
  if (!trusted || !Array.isArray(trusted.keys)) throw new Error('Trusted service keys must be a JWKS: {"keys": [...]}');
  const byKid = new Map<string, ServicePublicKey>();
  for (const key of trusted.keys as Partial<ServicePublicKey>[]) {
    if (!key || key.kty !== 'EC' || key.crv !== 'P-256' || typeof key.x !== 'string' || typeof key.y !== 'string') {
      throw new Error('Trusted service keys must be public P-256 (ES256) JWKs');
    }
    if ('d' in key) throw new Error(`Trusted service key ${key.kid ?? ''} holds a private part; publish only public keys`);
    if (typeof key.kid !== 'string' || key.kid === '') throw new Error('Every trusted service key needs a kid');
    if (typeof key.service !== 'string' || !SERVICE_NAME.test(key.service)) {
      throw new Error(`Trusted service key ${key.kid} must name its service ("service": "bff-web")`);
    }
    if (byKid.has(key.kid)) throw new Error(`Trusted service key id ${key.kid} appears twice`);
    byKid.set(key.kid, key as ServicePublicKey);
  }
  return byKid;
}

/** Options for {@link createServiceTokenVerifier}. */
export interface ServiceTokenVerifierOptions {
  /** This service's name: tokens must name it as audience. */
  audience: string;
  /** Public keys of the services that may call, each naming its owner. */
  trustedKeys: ServiceTrustedKeys;
}

/**
 * Verifies service tokens; returns the caller's name or throws UNAUTHENTICATED.
 * A token verified once is believed until it expires, for at most a minute.
 * The caller is the owner of the key that signed the token: a token whose `sub`
 * names another service is refused, so no service can speak for another.
 */
export function createServiceTokenVerifier(options: ServiceTokenVerifierOptions) {
  const owners = indexServiceKeys(options.trustedKeys);
  const imported = new Map<string, Promise<CryptoKey>>();
  const keyFor = (kid: string): Promise<CryptoKey> => {
    let key = imported.get(kid);
    if (!key) {
      const { service: _owner, ...jwk } = owners.get(kid)!;
      key = importJWK({ ...jwk, alg: ALG }, ALG) as Promise<CryptoKey>;
      imported.set(kid, key);
    }
    return key;
  };
  const verified = createVerifiedTokenCache<{ service: string }>(1_000);
  return async function verifyServiceToken(token: string | undefined): Promise<string> {
    if (!token) throw errors.unauthenticated('A service token is required.');
    const known = verified.get(token);
    if (known) return known.service;
    try {
      let owner: ServicePublicKey | undefined;
      const { payload } = await jwtVerify(
        token,
        (header: JWTHeaderParameters) => {
          owner = header.kid === undefined ? undefined : owners.get(header.kid);
          if (!owner) throw new Error('unknown key');
          return keyFor(owner.kid);
        },
        {
          algorithms: [ALG],
          issuer: SERVICE_ISSUER,
          audience: options.audience,
          typ: SERVICE_TYP,
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
          maxTokenAge: '5m',
        },
      );
      if (!owner || payload.sub !== owner.service) throw new Error('subject is not the key owner');
      // Good until it expires or grows older than the 5 minutes allowed, with the same tolerance.
      verified.set(token, { service: owner.service }, Math.min((payload.exp as number) + 5, (payload.iat as number) + 300 + 5) * 1000);
      return owner.service;
    } catch {
      throw errors.unauthenticated('The service token is not valid.');
    }
  };
}

export type ServiceTokenVerifier = ReturnType<typeof createServiceTokenVerifier>;
