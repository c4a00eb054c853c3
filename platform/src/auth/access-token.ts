import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose';
import { errors } from '../errors';
import type { KeySet } from './key-set';
import { createVerifiedTokenCache } from './verified-tokens';

/** Roles a user can hold. */
export type Role = 'CUSTOMER' | 'SUPPORT' | 'COMPLIANCE' | 'ADMIN';

/** What a verified access token says about its bearer. */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  roles: Role[];
  scopes: string[];
  tokenId: string;
  expiresAt: Date;
}

/** Issuer and audience of user access tokens. */
export interface TokenAudience {
  issuer: string;
  audience: string;
}

const ACCESS_TYP = 'at+jwt';

/** Signs an ES256 access token (RFC 9068 shape) with the active key. */
export async function issueAccessToken(
  keys: KeySet,
  aud: TokenAudience,
  claims: { userId: string; sessionId: string; roles: Role[]; scopes: string[]; ttlSeconds: number },
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + claims.ttlSeconds;
  const token = await new SignJWT({ scope: claims.scopes.join(' '), roles: claims.roles, sid: claims.sessionId })
    .setProtectedHeader({ alg: 'ES256', kid: keys.active.kid, typ: ACCESS_TYP })
    .setIssuer(aud.issuer)
    .setAudience(aud.audience)
    .setSubject(claims.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(keys.active.privateKey);
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Options for {@link createAccessTokenVerifier}. */
export interface AccessTokenVerifierOptions extends TokenAudience {
  /** Key lookup: `createLocalJWKSet` or `createRemoteJWKSet` from jose. */
  keys: JWTVerifyGetKey;
  /** Allowed clock skew in seconds; default 5. */
  clockToleranceSeconds?: number;
}

const validRoles = new Set<Role>(['CUSTOMER', 'SUPPORT', 'COMPLIANCE', 'ADMIN']);

/**
 * Verifies access tokens with the algorithm, issuer, audience, type and
 * required claims pinned. Any failure is UNAUTHENTICATED without saying why.
 * A token verified once is believed until it expires, for at most a minute
 * (see createVerifiedTokenCache).
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions) {
  const tolerance = options.clockToleranceSeconds ?? 5;
  const verified = createVerifiedTokenCache<AccessTokenClaims>();
  return async function verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const known = verified.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, options.keys, {
        algorithms: ['ES256'],
        issuer: options.issuer,
        audience: options.audience,
        typ: ACCESS_TYP,
        clockTolerance: tolerance,
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'scope', 'sid'],
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => validRoles.has(r as Role)) : [];
      if (typeof payload.scope !== 'string' || typeof payload.sid !== 'string') throw new Error('malformed claims');
      // Shared by every request that carries this token: nobody may change it.
      const claims: AccessTokenClaims = Object.freeze({
        userId: payload.sub as string,
        sessionId: payload.sid,
        roles: Object.freeze(roles) as Role[],
        scopes: Object.freeze(payload.scope.split(' ').filter(Boolean)) as string[],
        tokenId: payload.jti as string,
        expiresAt: new Date((payload.exp as number) * 1000),
      });
      verified.set(token, claims, ((payload.exp as number) + tolerance) * 1000);
      return claims;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw errors.unauthenticated('The access token has expired.');
      throw errors.unauthenticated('The access token is not valid.');
    }
  };
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;

/** Reads a bearer token from an Authorization header value. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i);
  return match?.[1];
}

/** Key lookup from a JWKS held in memory (identity verifying its own tokens). */
export function localKeyResolver(jwks: { keys: JWK[] }): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}

/** Key lookup from identity's published JWKS, cached and refetched on an unknown `kid` at most every 30 s. */
export function remoteKeyResolver(url: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, timeoutDuration: 2_000 });
}

/** Whether the token's user holds `role`. */
export function hasRole(claims: AccessTokenClaims, role: Role): boolean {
  return claims.roles.includes(role);
}
