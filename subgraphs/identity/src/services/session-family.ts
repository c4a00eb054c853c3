import { IsNull, type EntityManager } from 'typeorm';
import { RefreshTokenEntity } from '../data/entities/refresh-token.entity';
import { SessionEntity, type SessionRow } from '../data/entities/session.entity';
import { publishRevokedSessions } from './session-revocation';

// Every function here that ends a session also puts it on the revocation list
// (publishRevokedSessions, inside the caller's transaction), so its access tokens
// stop working everywhere within a second, not when they expire. Each can
// therefore throw SERVICE_UNAVAILABLE when the list cannot be written; the
// caller's transaction then rolls back and nothing has ended.

/**
 * Reads a session under a row lock (restricted to `userId` when given). Every
 * change to a family takes this lock before touching its tokens, so changes to
 * one family run one after another and never deadlock, and a refresh cannot
 * add a token to a family while it is being revoked.
 */
export function lockSession(manager: EntityManager, sessionId: string, userId?: string): Promise<SessionRow | null> {
  return manager.getRepository(SessionEntity).findOne({
    where: { id: sessionId, ...(userId ? { userId } : {}) },
    lock: { mode: 'pessimistic_write' },
  });
}

/** Marks a locked session and its live refresh tokens revoked (the database half of ending it). */
async function endLockedSession(manager: EntityManager, session: SessionRow, now: Date): Promise<void> {
  await manager.update(SessionEntity, { id: session.id }, { revokedAt: now });
  await manager.update(RefreshTokenEntity, { familyId: session.id, revokedAt: IsNull() }, { revokedAt: now });
}

/**
 * Revokes a session the caller has locked with {@link lockSession}, and every
 * token of its family not revoked yet; its access tokens are refused from now on.
 * Errors: SERVICE_UNAVAILABLE (the revocation list cannot be written; nothing ended).
 */
export async function revokeLockedSession(manager: EntityManager, session: SessionRow): Promise<void> {
  await endLockedSession(manager, session, new Date());
  await publishRevokedSessions(manager, [session.id]);
}

/**
 * Locks and revokes a session and its tokens, access tokens included. Returns
 * false when there was no such session (for `userId`, when given) or it was
 * already revoked.
 * Errors: SERVICE_UNAVAILABLE (as {@link revokeLockedSession}).
 */
export async function revokeFamily(manager: EntityManager, sessionId: string, userId?: string): Promise<boolean> {
  const session = await lockSession(manager, sessionId, userId);
  if (!session || session.revokedAt) return false;
  await revokeLockedSession(manager, session);
  return true;
}

/**
 * Revokes every live session of a user and their tokens, access tokens
 * included (a password reset, a staff lock). Returns the ids of the sessions it ended.
 * Errors: SERVICE_UNAVAILABLE (as {@link revokeLockedSession}).
 */
export async function revokeAllSessions(manager: EntityManager, userId: string): Promise<string[]> {
  const live = await manager.getRepository(SessionEntity).find({
    where: { userId, revokedAt: IsNull() },
    order: { id: 'ASC' },
    lock: { mode: 'pessimistic_write' },
  });
  const now = new Date();
  for (const session of live) await endLockedSession(manager, session, now);
  const ids = live.map((session) => session.id);
  await publishRevokedSessions(manager, ids);
  return ids;
}
