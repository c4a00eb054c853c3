import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT, type JWK } from 'jose';
import { errors } from '../errors';
import type { KeySet } from './key-set';

/** Header that carries the service token on internal calls. */
export const SERVICE_TOKEN_HEADER = 'x-service-token';
const SERVICE_ISSUER = 'meridian-services';
const SERVICE_TYP = 'service+jwt';

/** Options for {@link createServiceTokenIssuer}. */
export interface ServiceTokenIssuerOptions {
  /** The calling service's name, the token's subject. */
  service: string;
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
      .setProtectedHeader({ alg: 'ES256', kid: options.keys.active.kid, typ: SERVICE_TYP })
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

/** Options for {@link createServiceTokenVerifier}. */
export interface ServiceTokenVerifierOptions {
  /** This service's name: tokens must name it as audience. */
  audience: string;
  /** Public keys of trusted callers. */
  trustedKeys: { keys: JWK[] };
  /** Callers allowed in; default any holder of a trusted key. */
  allowedCallers?: string[];
}

/** Verifies service tokens; returns the caller's name or throws UNAUTHENTICATED. */
export function createServiceTokenVerifier(options: ServiceTokenVerifierOptions) {
  const keys = createLocalJWKSet(options.trustedKeys);
  return async function verifyServiceToken(token: string | undefined): Promise<string> {
    if (!token) throw errors.unauthenticated('A service token is required.');
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ['ES256'],
        issuer: SERVICE_ISSUER,
        audience: options.audience,
        typ: SERVICE_TYP,
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        maxTokenAge: '5m',
      });
      const caller = payload.sub as string;
      if (options.allowedCallers && !options.allowedCallers.includes(caller)) throw new Error('caller not allowed');
      return caller;
    } catch {
      throw errors.unauthenticated('The service token is not valid.');
    }
  };
}

export type ServiceTokenVerifier = ReturnType<typeof createServiceTokenVerifier>;
