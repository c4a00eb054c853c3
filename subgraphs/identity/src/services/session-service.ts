import {
  DomainError,
  ErrorCode,
  errors,
  issueAccessToken,
  uuidv7,
  type KeySet,
  type TokenAudience,
} from '@meridian/platform';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { RefreshTokenEntity, type RefreshTokenRow } from '../data/entities/refresh-token.entity';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import { normaliseEmail } from '../domain/email';
import { createDecoyHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../domain/password';
import { generateRefreshToken, hashRefreshToken, looksLikeRefreshToken } from '../domain/refresh-token';
import type { IssuedSession } from '../domain/session';
import { scopesFor } from '../domain/user';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
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

const invalidCredentials = () => errors.unauthenticated('The email address or password is incorrect.');
const invalidRefreshToken = () => errors.unauthenticated('The refresh token is not valid. Sign in again.');

/**
 * Sign-in, refresh-token rotation and sign-out. A session is a family of
 * refresh tokens; each token is single-use, and using one twice ends the family.
 */
export class SessionService {
  private decoyHash: Promise<string>;

  constructor(
    private readonly db: DataSource,
    private readonly options: SessionServiceOptions,
  ) {
    this.decoyHash = createDecoyHash();
  }

  /**
   * Verifies email and password and opens a session. An unknown email and a
   * wrong password fail alike, after the same amount of hashing work.
   * Errors: UNAUTHENTICATED, FORBIDDEN (account locked or disabled).
   */
  async login(email: string, password: string, deviceId: string | null, origin: RequestOrigin): Promise<IssuedSession> {
    let normalised: string | null = null;
    try {
      normalised = normaliseEmail(email);
    } catch {
      normalised = null;
    }
    const user = normalised ? await this.db.getRepository(UserEntity).findOneBy({ email: normalised }) : null;
    const tooLong = [...password].length > MAX_PASSWORD_LENGTH;
    const matches = await verifyPassword(user?.passwordHash ?? (await this.decoyHash), tooLong ? '' : password);
    if (!user || !matches || tooLong) {
      await this.db.transaction((m) =>
        recordAuditEvent(m, 'LOGIN_FAILED', user?.id ?? null, origin, { email: normalised ?? email.slice(0, 254) }),
      );
      throw invalidCredentials();
    }
    if (user.status !== 'ACTIVE') {
      await this.db.transaction((m) => recordAuditEvent(m, 'LOGIN_FAILED', user.id, origin, { reason: user.status }));
      throw errors.forbidden('This account is locked. Contact support.');
    }
    const device = deviceId ? deviceId.slice(0, 128) : null;
    return this.db.transaction(async (manager) => {
      const familyId = uuidv7();
      const refresh = await this.insertRefreshToken(manager, user.id, familyId, device);
      await recordAuditEvent(manager, 'LOGIN_SUCCEEDED', user.id, origin, { sessionId: familyId, deviceId: device });
      return this.issue(user, familyId, refresh);
    });
  }

  /**
   * Exchanges a refresh token for a new pair. A token seen a second time
   * revokes its whole family (it was stolen, or the client is replaying).
   * Errors: UNAUTHENTICATED, FORBIDDEN (account no longer active).
   */
  async refresh(refreshToken: string, origin: RequestOrigin): Promise<IssuedSession> {
    if (!looksLikeRefreshToken(refreshToken)) throw invalidRefreshToken();
    const outcome = await this.db.transaction(async (manager) => {
      const tokens = manager.getRepository(RefreshTokenEntity);
      // Row lock: two concurrent refreshes with one token cannot both succeed.
      const current = await tokens.findOne({
        where: { tokenHash: hashRefreshToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current || current.revokedAt) return { kind: 'invalid' as const };
      if (current.usedAt) {
        await this.revokeFamily(manager, current.familyId);
        await recordAuditEvent(manager, 'REFRESH_TOKEN_REUSED', current.userId, origin, { sessionId: current.familyId });
        return { kind: 'reused' as const };
      }
      if (current.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' as const };
      const user = await manager.getRepository(UserEntity).findOneByOrFail({ id: current.userId });
      if (user.status !== 'ACTIVE') {
        await this.revokeFamily(manager, current.familyId);
        return { kind: 'inactive' as const };
      }
      await tokens.update({ id: current.id }, { usedAt: new Date() });
      const refresh = await this.insertRefreshToken(manager, user.id, current.familyId, current.deviceId);
      await recordAuditEvent(manager, 'SESSION_REFRESHED', user.id, origin, { sessionId: current.familyId });
      return { kind: 'ok' as const, session: await this.issue(user, current.familyId, refresh) };
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
   * Errors: UNAUTHENTICATED (neither was given).
   */
  async logout(
    refreshToken: string | null | undefined,
    caller: { userId: string; sessionId: string } | undefined,
    origin: RequestOrigin,
  ): Promise<boolean> {
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
        throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Send the refresh token, or sign in, to log out.');
      }
      const revoked = await this.revokeFamily(manager, familyId, userId);
      if (revoked === 0) return false;
      await recordAuditEvent(manager, 'LOGGED_OUT', userId, origin, { sessionId: familyId });
      return true;
    });
  }

  /** Revokes every live token of a family; returns how many were live. */
  private async revokeFamily(manager: EntityManager, familyId: string, userId?: string): Promise<number> {
    const result = await manager.getRepository(RefreshTokenEntity).update(
      { familyId, revokedAt: IsNull(), ...(userId ? { userId } : {}) },
      { revokedAt: new Date() },
    );
    return result.affected ?? 0;
  }

  private async insertRefreshToken(
    manager: EntityManager,
    userId: string,
    familyId: string,
    deviceId: string | null,
  ): Promise<{ token: string; expiresAt: Date }> {
    const { token, hash } = generateRefreshToken();
    const now = new Date();
    const row: RefreshTokenRow = {
      id: uuidv7(),
      familyId,
      userId,
      tokenHash: hash,
      deviceId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.refreshTokenTtlDays * 86_400_000),
      usedAt: null,
      revokedAt: null,
    };
    await manager.insert(RefreshTokenEntity, row);
    return { token, expiresAt: row.expiresAt };
  }

  private async issue(user: UserRow, sessionId: string, refresh: { token: string; expiresAt: Date }): Promise<IssuedSession> {
    const access = await issueAccessToken(this.options.keys, this.options.audience, {
      userId: user.id,
      sessionId,
      roles: user.roles,
      scopes: scopesFor(user.roles),
      ttlSeconds: this.options.accessTokenTtlSeconds,
    });
    return {
      accessToken: access.token,
      expiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt,
      user: toUserRecord(user),
    };
  }
}
