import { errors, isUuid } from '@meridian/platform';
import { IsNull, MoreThan, type DataSource } from 'typeorm';
import { SessionEntity } from '../data/entities/session.entity';
import type { UserSessionRecord } from '../domain/session';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { lockSession, revokeLockedSession } from './session-family';
import type { SessionCaller } from './session-service';

// One message for a session that does not exist, is someone else's, or has already ended.
const noSuchSession = () => errors.notFound('There is no such session.');

/**
 * A user's signed-in devices and browsers: listing them and ending one.
 * Ending a session stops its refresh token at once, and its access tokens
 * within a second everywhere (the revocation list, session-family.ts).
 */
export class DeviceSessionService {
  constructor(private readonly db: DataSource) {}

  /**
   * The user's live sessions (not revoked, refresh token not expired), most
   * recently active first; `current` marks the caller's own.
   * It throws nothing: who may ask is the resolver's check.
   */
  async listLive(userId: string, currentSessionId: string | null): Promise<UserSessionRecord[]> {
    const rows = await this.db.getRepository(SessionEntity).find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastActiveAt: 'DESC', id: 'DESC' },
    });
    return rows.map((row) => ({
      id: row.id,
      deviceId: row.deviceId,
      userAgent: row.userAgent,
      createdAt: row.createdAt,
      lastActiveAt: row.lastActiveAt,
      expiresAt: row.expiresAt,
      current: row.id === currentSessionId,
    }));
  }

  /**
   * Ends one of the caller's live sessions (possibly the current one) and
   * records SESSION_REVOKED with the session and the session that asked.
   * Errors: NOT_FOUND (unknown, someone else's, already ended or expired; all alike),
   * SERVICE_UNAVAILABLE (the revocation list cannot be written; nothing ended).
   */
  async revoke(caller: SessionCaller, sessionId: string, origin: RequestOrigin): Promise<true> {
    // A session id that is not a UUID cannot exist; checking here keeps PostgreSQL's cast error out.
    if (!isUuid(sessionId)) throw noSuchSession();
    const revoked = await this.db.transaction(async (manager) => {
      const session = await lockSession(manager, sessionId, caller.userId);
      if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return false;
      await revokeLockedSession(manager, session);
      await recordAuditEvent(manager, 'SESSION_REVOKED', caller.userId, origin, {
        sessionId: session.id,
        deviceId: session.deviceId,
        revokedBy: caller.userId,
        revokedFromSession: caller.sessionId,
      });
      return true;
    });
    if (!revoked) throw noSuchSession();
    return true;
  }
}
