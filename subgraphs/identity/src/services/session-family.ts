import { IsNull, type EntityManager } from 'typeorm';
import { RefreshTokenEntity } from '../data/entities/refresh-token.entity';
import { SessionEntity, type SessionRow } from '../data/entities/session.entity';

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

/** Revokes a session the caller has locked with {@link lockSession}, and every token of its family not revoked yet. */
export async function revokeLockedSession(manager: EntityManager, session: SessionRow): Promise<void> {
  const now = new Date();
  await manager.update(SessionEntity, { id: session.id }, { revokedAt: now });
  await manager.update(RefreshTokenEntity, { familyId: session.id, revokedAt: IsNull() }, { revokedAt: now });
}

/**
 * Locks and revokes a session and its tokens. Returns false when there was no
 * such session (for `userId`, when given) or it was already revoked.
 */
export async function revokeFamily(manager: EntityManager, sessionId: string, userId?: string): Promise<boolean> {
  const session = await lockSession(manager, sessionId, userId);
  if (!session || session.revokedAt) return false;
  await revokeLockedSession(manager, session);
  return true;
}

/**
 * Revokes every live session of a user and their tokens (a password reset, a
 * staff lock). Returns the ids of the sessions it ended.
 */
export async function revokeAllSessions(manager: EntityManager, userId: string): Promise<string[]> {
  const live = await manager.getRepository(SessionEntity).find({
    where: { userId, revokedAt: IsNull() },
    order: { id: 'ASC' },
    lock: { mode: 'pessimistic_write' },
  });
  for (const session of live) await revokeLockedSession(manager, session);
  return live.map((session) => session.id);
}
