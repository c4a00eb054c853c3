import { randomBytes } from 'node:crypto';
import { errors, mapPostgresError, uuidv7, type PostgresMeanings } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { UserEntity, type UserRow } from '../data/entities/user.entity';
import { normaliseDisplayName } from '../domain/display-name';
import { normaliseEmail } from '../domain/email';
import { assertStrongPassword, hashPassword } from '../domain/password';
import { STAFF_ROLES } from '../domain/permissions';
import type { Role, UserRecord } from '../domain/user';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { revokeAllApiKeys } from './api-key-service';
import { revokeAllSessions } from './session-family';
import { anotherActiveAdmin, checkRoles, lastAdmin, lockUserRow } from './staff-guards';
import { StaffReads } from './staff-reads';
import { UserLockService } from './user-lock-service';
import { toUserRecord } from './user-mapper';

/** Who acts: the staff member's id, or null for the `staff:create` command run on the server. */
export type StaffActor = string | null;

/** A new staff member. */
export interface NewStaff {
  email: string;
  displayName: string;
  roles: readonly Role[];
  /** Their password, when it is set now (the bootstrap command); otherwise they are sent a link to choose one. */
  password?: string;
}

/** Options for {@link StaffService}. */
export interface StaffServiceOptions {
  /**
   * Sends a new staff member without a password the email that lets them choose one
   * (identity's password reset). Runs after the member is committed.
   */
  invite?: (email: string, origin: RequestOrigin) => Promise<unknown>;
}

const USER_MEANINGS: PostgresMeanings = {
  constraints: {
    users_email_key: () => errors.conflict('An account with this email address already exists.', { field: 'email' }),
  },
};

/**
 * Staff management: adding staff members and changing anyone's roles, each in
 * one transaction with its audit entry (who did it, before and after). A role
 * change ends every session of the user at once, so the scopes of their
 * tokens follow their roles from the next sign-in.
 */
export class StaffService {
  constructor(
    private readonly db: DataSource,
    private readonly options: StaffServiceOptions = {},
  ) {}

  /**
   * Adds a staff member: staff roles only; with a password (checked by the
   * password policy) when given, otherwise an unusable one and the email to
   * choose theirs. Audited (STAFF_CREATED). Errors: BAD_USER_INPUT (email,
   * name, roles, weak password), CONFLICT (email taken).
   */
  async create(actor: StaffActor, input: NewStaff, origin: RequestOrigin): Promise<UserRecord> {
    const email = normaliseEmail(input.email);
    const displayName = normaliseDisplayName(input.displayName);
    const roles = checkRoles(input.roles, { staffOnly: true });
    if (input.password !== undefined) assertStrongPassword(input.password, email, displayName);
    // Without a password of their own, a secret nobody knows: the account cannot sign in until they choose one.
    const passwordHash = await hashPassword(input.password ?? randomBytes(32).toString('base64url'));
    const now = new Date();
    const row: UserRow = { id: uuidv7(), email, phone: null, displayName, passwordHash, roles, status: 'ACTIVE', emailVerifiedAt: null, createdAt: now, updatedAt: now };
    try {
      await this.db.transaction(async (manager) => {
        await manager.insert(UserEntity, row);
        await recordAuditEvent(manager, 'STAFF_CREATED', row.id, origin, { actorId: actor, roles, invited: input.password === undefined });
      });
    } catch (err) {
      throw mapPostgresError(err, USER_MEANINGS) ?? err;
    }
    if (input.password === undefined) await this.options.invite?.(email, origin);
    return toUserRecord(row);
  }

  /**
   * Replaces a user's roles and ends all their sessions. The same roles again
   * change nothing. Audited (ROLES_CHANGED: actor, before, after, sessions
   * ended). Errors: NOT_FOUND, BAD_USER_INPUT (roles), CONFLICT (`reason`
   * LAST_ADMIN).
   */
  async setRoles(actor: StaffActor, userId: string, rolesInput: readonly Role[], origin: RequestOrigin): Promise<UserRecord> {
    const roles = checkRoles(rolesInput);
    return this.db.transaction(async (manager) => {
      // Administrators first, in id order, then the user: one lock order for every role change and lock.
      const othersRemain = await anotherActiveAdmin(manager, userId);
      const user = await lockUserRow(manager, userId);
      if (!user) throw errors.notFound('User not found.');
      const before = [...user.roles].sort();
      const after = [...roles].sort();
      if (before.join() === after.join()) return toUserRecord(user);
      if (user.roles.includes('ADMIN') && user.status === 'ACTIVE' && !roles.includes('ADMIN') && !othersRemain) throw lastAdmin();
      const updatedAt = new Date();
      await manager.update(UserEntity, { id: user.id }, { roles, updatedAt });
      const sessionsEnded = await revokeAllSessions(manager, user.id);
      const apiKeysRevoked = await revokeAllApiKeys(manager, user.id, 'ROLES_CHANGED', origin);
      await recordAuditEvent(manager, 'ROLES_CHANGED', user.id, origin, {
        actorId: actor,
        before,
        after,
        sessionsEnded: sessionsEnded.length,
        ...(apiKeysRevoked.length ? { apiKeysRevoked: apiKeysRevoked.length } : {}),
      });
      return toUserRecord({ ...user, roles, updatedAt });
    });
  }

  /** Everyone holding a staff role, oldest first. */
  async members(): Promise<UserRecord[]> {
    const rows = await this.db
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('u.roles && :staff', { staff: [...STAFF_ROLES] })
      .orderBy('u.id')
      .getMany();
    return rows.map(toUserRecord);
  }
}


/** Staff management, staff locks and audited staff reads, as the resolvers use them. */
export function createStaffServices(db: DataSource, options: StaffServiceOptions = {}) {
  return { staff: new StaffService(db, options), userLocks: new UserLockService(db), staffReads: new StaffReads(db) };
}
