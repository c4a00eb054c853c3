import { DomainError, ErrorCode, errors, issueAccessToken, uuidv7, type KeySet, type TokenAudience } from '@meridian/platform';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { RefreshTokenEntity, type RefreshTokenRow } from '../data/entities/refresh-token.entity';
import { SessionEntity, type SessionRow } from '../data/entities/session.entity';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import { normaliseEmail } from '../domain/email';
import { createDecoyHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../domain/password';
import { generateRefreshToken, hashRefreshToken, looksLikeRefreshToken } from '../domain/refresh-token';
import { deviceMatches, normaliseDeviceId, type IssuedSession, type SessionAuthentication } from '../domain/session';
import { scopesFor } from '../domain/user';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { SignInThrottle } from './sign-in-throttle';
import { lockSession, revokeFamily, revokeLockedSession } from './session-family';
import { toUserRecord } from './user-mapper';

/** Options for {@link SessionService}. */
export interface SessionServiceOptions {
  keys: KeySet;
  audience: TokenAudience;
  /** Access token lifetime; default 600 s. */
  accessTokenTtlSeconds: number;
  /** Refresh token lifetime; default 30 days. */
  refreshTokenTtlDays: number;
}

/** A sign-in whose password was right and whose second factor is awaited (see MFA_REQUIRED). */
export interface SecondFactorChallenge {
  /** Opaque, single-use, short-lived: it names this sign-in attempt to `completeSignIn`. */
  mfaToken: string;
  /** The methods this user can finish with, strongest first. */
  methods: string[];
  expiresAt: Date;
}

/** Decides, in the sign-in's transaction once the password was right, whether a second factor is needed. */
export interface SignInGate {
  /** A challenge to answer when the user must give a second factor, else null (a session opens at once). */
  challenge(manager: EntityManager, user: UserRow, deviceId: string | null, origin: RequestOrigin): Promise<SecondFactorChallenge | null>;
}

/** Who is asking, from a verified access token. */
export interface SessionCaller {
  userId: string;
  sessionId: string;
}

const invalidCredentials = () => errors.unauthenticated('The email address or password is incorrect.');
const invalidRefreshToken = () => errors.unauthenticated('The refresh token is not valid. Sign in again.');

/**
 * Sign-in, refresh-token rotation and sign-out. A session is a family of
 * refresh tokens (a row of identity.sessions); each token is single-use, and
 * using one twice ends the family.
 */
export class SessionService {
  private decoyHash: Promise<string>;
  /** Asks for a second factor after the password when the user has one or their role needs one; none means never. */
  secondFactor?: SignInGate;

  constructor(
    private readonly db: DataSource,
    private readonly options: SessionServiceOptions,
    private readonly throttle: SignInThrottle = new SignInThrottle(db),
  ) {
    this.decoyHash = createDecoyHash();
  }

  /**
   * Verifies email and password and opens a session, bound to `deviceId` when
   * one is given. An unknown email, a wrong password and an account that may
   * not sign in (locked or disabled, whatever the password) fail alike, after
   * the same amount of hashing work. Every attempt is counted per email address
   * before the password is looked at ({@link SignInThrottle}); a success clears
   * the count. When {@link secondFactor} asks for one, no session opens: the
   * answer is MFA_REQUIRED with the challenge (`mfaToken`, `methods`).
   * Errors: UNAUTHENTICATED, RATE_LIMITED (backoff or temporary lock), MFA_REQUIRED.
   */
  async login(email: string, password: string, deviceId: string | null, origin: RequestOrigin): Promise<IssuedSession> {
    const device = normaliseDeviceId(deviceId);
    let normalised: string | null = null;
    try {
      normalised = normaliseEmail(email);
    } catch {
      normalised = null;
    }
    const user = normalised ? await this.db.getRepository(UserEntity).findOneBy({ email: normalised }) : null;
    await this.throttle.claim(email, user?.id ?? null, origin);
    const tooLong = [...password].length > MAX_PASSWORD_LENGTH;
    const matches = await verifyPassword(user?.passwordHash ?? (await this.decoyHash), tooLong ? '' : password);
    if (!user || !matches || tooLong || user.status !== 'ACTIVE') {
      const details = { email: normalised ?? email.slice(0, 254), ...(user && matches && !tooLong ? { reason: user.status } : {}) };
      await this.db.transaction((m) => recordAuditEvent(m, 'LOGIN_FAILED', user?.id ?? null, origin, details));
      throw invalidCredentials();
    }
    const outcome = await this.db.transaction(async (manager): Promise<{ challenge: SecondFactorChallenge } | { session: IssuedSession }> => {
      await this.throttle.clear(manager, user.email);
      const challenge = (await this.secondFactor?.challenge(manager, user, device, origin)) ?? null;
      if (challenge) return { challenge };
      const session = await this.open(manager, user, device, origin, { amr: ['pwd'], authTime: new Date() });
      await recordAuditEvent(manager, 'LOGIN_SUCCEEDED', user.id, origin, { sessionId: session.sessionId, deviceId: device });
      return { session };
    });
    if ('challenge' in outcome) {
      const { mfaToken, methods, expiresAt } = outcome.challenge;
      throw new DomainError(ErrorCode.MFA_REQUIRED, 'The password is right; a second factor is needed to finish signing in. Send it with completeSignIn.', {
        mfaToken,
        methods,
        expiresAt: expiresAt.toISOString(),
      });
    }
    return outcome.session;
  }

  /**
   * Opens a session for `user` in the caller's transaction, authenticated as
   * `auth` says (its access tokens carry `amr` and `auth_time`, and so do those
   * of every refresh). The caller audits the sign-in.
   */
  async open(manager: EntityManager, user: UserRow, deviceId: string | null, origin: RequestOrigin, auth: SessionAuthentication): Promise<IssuedSession> {
    const now = new Date();
    const session: SessionRow = {
      id: uuidv7(),
      userId: user.id,
      deviceId,
      userAgent: origin.userAgent || null,
      createdAt: now,
      lastActiveAt: now,
      expiresAt: this.refreshExpiry(now),
      revokedAt: null,
      amr: auth.amr,
      authTime: auth.authTime,
    };
    await manager.insert(SessionEntity, session);
    const refresh = await this.insertRefreshToken(manager, session, now);
    return this.issue(user, session.id, refresh, auth);
  }

  /**
   * Records a fresh second factor on a live session the caller has locked
   * (lockSession): its `amr` and `auth_time` change, its refresh tokens not
   * yet used are retired, and a new pair is issued for the same session.
   * Errors: UNAUTHENTICATED (the session is over).
   */
  async upgrade(manager: EntityManager, session: SessionRow, user: UserRow, auth: SessionAuthentication): Promise<IssuedSession> {
    const now = new Date();
    if (session.revokedAt || session.expiresAt.getTime() <= now.getTime()) throw errors.unauthenticated('This session has ended. Sign in again.');
    await manager.update(RefreshTokenEntity, { familyId: session.id, revokedAt: IsNull(), usedAt: IsNull() }, { revokedAt: now });
    const refresh = await this.insertRefreshToken(manager, session, now);
    await manager.update(SessionEntity, { id: session.id }, { amr: auth.amr, authTime: auth.authTime, lastActiveAt: now, expiresAt: refresh.expiresAt });
    return this.issue(user, session.id, refresh, auth);
  }

  /**
   * Exchanges a refresh token for a new pair. A token seen a second time
   * revokes its whole family (it was stolen, or the client is replaying), and
   * so does a token of a family bound to a device presented without that
   * device's id (a token used from another device).
   * Errors: UNAUTHENTICATED, FORBIDDEN (account no longer active), SERVICE_UNAVAILABLE (a family to
   * end could not be put on the revocation list; nothing changed).
   */
  async refresh(refreshToken: string, deviceId: string | null | undefined, origin: RequestOrigin): Promise<IssuedSession> {
    if (!looksLikeRefreshToken(refreshToken)) throw invalidRefreshToken();
    const presentedDevice = normaliseDeviceId(deviceId);
    const outcome = await this.db.transaction(async (manager) => {
      const tokens = manager.getRepository(RefreshTokenEntity);
      const found = await tokens.findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
      if (!found) return { kind: 'invalid' as const };
      // The session's lock first, then the token's, as every change to a family does: concurrent
      // refreshes with one token take turns (only the first succeeds), a refresh cannot mint a
      // token in a family being revoked, and no two transactions wait on each other.
      const session = await lockSession(manager, found.familyId);
      const current = await tokens.findOne({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      if (!session || session.revokedAt || !current || current.revokedAt) return { kind: 'invalid' as const };
      if (current.usedAt) {
        await revokeLockedSession(manager, session);
        await recordAuditEvent(manager, 'REFRESH_TOKEN_REUSED', session.userId, origin, { sessionId: session.id });
        return { kind: 'reused' as const };
      }
      const now = new Date();
      if (current.expiresAt.getTime() <= now.getTime()) return { kind: 'invalid' as const };
      if (!deviceMatches(session.deviceId, presentedDevice)) {
        await revokeLockedSession(manager, session);
        await recordAuditEvent(manager, 'REFRESH_DEVICE_MISMATCH', session.userId, origin, {
          sessionId: session.id,
          deviceId: presentedDevice,
        });
        return { kind: 'invalid' as const };
      }
      const user = await manager.getRepository(UserEntity).findOneByOrFail({ id: session.userId });
      if (user.status !== 'ACTIVE') {
        await revokeLockedSession(manager, session);
        return { kind: 'inactive' as const };
      }
      await tokens.update({ id: current.id }, { usedAt: now });
      const refresh = await this.insertRefreshToken(manager, session, now);
      await manager.update(SessionEntity, { id: session.id }, { lastActiveAt: now, expiresAt: refresh.expiresAt });
      await recordAuditEvent(manager, 'SESSION_REFRESHED', user.id, origin, { sessionId: session.id });
      return { kind: 'ok' as const, session: await this.issue(user, session.id, refresh, { amr: session.amr, authTime: session.authTime }) };
    });
    switch (outcome.kind) {
      case 'ok':
        return outcome.session;
      case 'inactive':
        throw errors.forbidden('This account is locked. Contact support.');
      case 'reused':
        throw errors.unauthenticated('This refresh token was already used; the session has been ended. Sign in again.');
      default:
        throw invalidRefreshToken();
    }
  }

  /**
   * Ends the session a refresh token belongs to, or else the session of the
   * caller's access token. Returns false when there was no live session.
   * The session's access tokens are refused everywhere from then on (session-family.ts).
   * Errors: UNAUTHENTICATED (neither was given), SERVICE_UNAVAILABLE (the revocation list
   * cannot be written; the session is not ended).
   */
  async logout(refreshToken: string | null | undefined, caller: SessionCaller | undefined, origin: RequestOrigin): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      let familyId: string | undefined;
      let userId: string | undefined;
      if (refreshToken) {
        if (!looksLikeRefreshToken(refreshToken)) return false;
        const row = await manager.getRepository(RefreshTokenEntity).findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
        if (!row) return false;
        familyId = row.familyId;
        userId = row.userId;
      } else if (caller) {
        familyId = caller.sessionId;
        userId = caller.userId;
      } else {
        throw errors.unauthenticated('Send the refresh token, or sign in, to log out.');
      }
      if (!(await revokeFamily(manager, familyId, userId))) return false;
      await recordAuditEvent(manager, 'LOGGED_OUT', userId, origin, { sessionId: familyId });
      return true;
    });
  }

  private refreshExpiry(from: Date): Date {
    return new Date(from.getTime() + this.options.refreshTokenTtlDays * 86_400_000);
  }

  private async insertRefreshToken(
    manager: EntityManager,
    session: Pick<SessionRow, 'id' | 'userId'>,
    now: Date,
  ): Promise<{ token: string; expiresAt: Date }> {
    const { token, hash } = generateRefreshToken();
    const row: RefreshTokenRow = {
      id: uuidv7(),
      familyId: session.id,
      userId: session.userId,
      tokenHash: hash,
      createdAt: now,
      expiresAt: this.refreshExpiry(now),
      usedAt: null,
      revokedAt: null,
    };
    await manager.insert(RefreshTokenEntity, row);
    return { token, expiresAt: row.expiresAt };
  }

  private async issue(user: UserRow, sessionId: string, refresh: { token: string; expiresAt: Date }, auth: SessionAuthentication): Promise<IssuedSession> {
    const access = await issueAccessToken(this.options.keys, this.options.audience, {
      userId: user.id,
      sessionId,
      roles: user.roles,
      scopes: scopesFor(user.roles),
      ttlSeconds: this.options.accessTokenTtlSeconds,
      amr: auth.amr,
      authTime: auth.authTime,
    });
    return {
      sessionId,
      accessToken: access.token,
      expiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt,
      user: toUserRecord(user),
      amr: auth.amr,
      authTime: auth.authTime,
    };
  }
}
