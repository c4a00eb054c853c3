import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose';
import { DomainError, ErrorCode, errors } from '../errors';
import type { KeySet } from './key-set';
import type { SessionRevocations } from './session-revocations';
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
  /**
   * How the user authenticated (RFC 8176 `amr`: `pwd`, `otp`, `sms`, `mfa`, …). A token
   * issued before the claim existed reads as `['pwd']`.
   */
  amr: string[];
  /** When the user last authenticated with the strongest factor in `amr` (`auth_time`); `iat` for older tokens. */
  authTime: Date;
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
  claims: {
    userId: string;
    sessionId: string;
    roles: Role[];
    scopes: string[];
    ttlSeconds: number;
    /** RFC 8176 methods; default `['pwd']`. */
    amr?: readonly string[];
    /** When the user last authenticated with the strongest of them; default now. */
    authTime?: Date;
  },
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + claims.ttlSeconds;
  const authTime = claims.authTime ? Math.floor(claims.authTime.getTime() / 1000) : iat;
  const token = await new SignJWT({
    scope: claims.scopes.join(' '),
    roles: claims.roles,
    sid: claims.sessionId,
    amr: [...(claims.amr ?? ['pwd'])],
    auth_time: authTime,
  })
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
  /** The list of ended sessions: a token of a session on it is refused however valid its signature (see session-revocations.ts). */
  revocations: Pick<SessionRevocations, 'isRevoked'>;
  /** Allowed clock skew in seconds; default 5. */
  clockToleranceSeconds?: number;
}

const validRoles = new Set<Role>(['CUSTOMER', 'SUPPORT', 'COMPLIANCE', 'ADMIN']);

/**
 * Verifies access tokens with the algorithm, issuer, audience, type and
 * required claims pinned. Any failure is UNAUTHENTICATED without saying why.
 * A token verified once is believed until it expires, for at most a minute
 * (see createVerifiedTokenCache), unless its session has ended: that is
 * checked on every call, and refused as {@link sessionEnded}.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions) {
  const tolerance = options.clockToleranceSeconds ?? 5;
  const verified = createVerifiedTokenCache<AccessTokenClaims>();
  const checkSignature = async (token: string): Promise<AccessTokenClaims> => {
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
      // Tokens issued before `amr` and `auth_time` existed were password sign-ins, authenticated when issued.
      const amr = Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string') : ['pwd'];
      const authTime = typeof payload.auth_time === 'number' ? payload.auth_time : (payload.iat as number);
      // Shared by every request that carries this token: nobody may change it.
      const claims: AccessTokenClaims = Object.freeze({
        userId: payload.sub as string,
        sessionId: payload.sid,
        roles: Object.freeze(roles) as Role[],
        scopes: Object.freeze(payload.scope.split(' ').filter(Boolean)) as string[],
        tokenId: payload.jti as string,
        expiresAt: new Date((payload.exp as number) * 1000),
        amr: Object.freeze(amr) as string[],
        authTime: new Date(authTime * 1000),
      });
      verified.set(token, claims, ((payload.exp as number) + tolerance) * 1000);
      return claims;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw errors.unauthenticated('The access token has expired.');
      // Identity's keys could not be fetched: the token may be fine, so the client must not be signed out.
      if (keysUnreachable(err)) throw errors.unavailable('Access tokens cannot be checked right now. Try again shortly.');
      throw errors.unauthenticated('The access token is not valid.');
    }
  };
  return async function verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const claims = verified.get(token) ?? (await checkSignature(token));
    // Cached or not: a session ended anywhere stops its tokens here as soon as this process has read the list.
    if (options.revocations.isRevoked(claims.sessionId)) throw sessionEnded();
    return claims;
  };
}

/** Why a token of an ended session is refused: UNAUTHENTICATED with `reason: SESSION_ENDED`, so the app knows to sign in again. */
export function sessionEnded(): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, 'This session has ended. Sign in again.', { reason: SESSION_ENDED });
}

/** The `reason` of {@link sessionEnded}. */
export const SESSION_ENDED = 'SESSION_ENDED';

/** Whether an error is a verifier's refusal of a token whose session has ended. */
export function isSessionEnded(err: unknown): boolean {
  return err instanceof DomainError && err.extensions.reason === SESSION_ENDED;
}

/**
 * Whether verification failed because the JWKS could not be fetched (timeout,
 * connection refused, a non-200 answer) rather than because of the token.
 */
function keysUnreachable(err: unknown): boolean {
  if (err instanceof joseErrors.JWKSTimeout) return true;
  // fetch's own failure (refused, reset, DNS) reaches us as a TypeError, possibly of another realm.
  if ((err as Error | null)?.name === 'TypeError' && (err as Error).message === 'fetch failed') return true;
  return err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set HTTP response/.test(err.message);
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

/**
 * Key lookup from identity's published JWKS, cached and refetched on an unknown
 * `kid` at most every `cooldownMs` (default 30 s). Identity signs with a new key
 * only once it has been published for longer than that (IDENTITY_KEY_ACTIVATION_SECONDS).
 */
export function remoteKeyResolver(url: string, options: { cooldownMs?: number } = {}): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), { cooldownDuration: options.cooldownMs ?? 30_000, timeoutDuration: 2_000 });
}
