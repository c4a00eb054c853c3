import { errors, isUuid, mapPostgresError, type PostgresMeanings } from '@meridian/platform';
import { In, type DataSource } from 'typeorm';
import { UserEntity } from '../data/entities/user.entity';
import { normaliseEmail } from '../domain/email';
import { normalisePhone } from '../domain/phone';
import type { Role, UserRecord } from '../domain/user';
import { recordAuditEvent, type RequestOrigin } from './audit-log';
import { newUserRow } from './new-user';
import { toUserRecord } from './user-mapper';

/** What `register` needs. */
export interface RegistrationInput {
  email: string;
  password: string;
  displayName: string;
  phone?: string | null;
}

/** What identity's constraints mean to a client who registers. */
const USER_MEANINGS: PostgresMeanings = {
  constraints: {
    users_email_key: () => errors.conflict('An account with this email address already exists.', { field: 'email' }),
    users_phone_key: () => errors.conflict('An account with this phone number already exists.', { field: 'phone' }),
  },
};

/** Registration and user look-ups. */
export class AccountService {
  constructor(private readonly db: DataSource) {}

  /**
   * Creates a customer (or, for seeding, a user with other roles) directly, sending
   * nothing: seeds, tests and staff tools. The public `register` is
   * {@link RegistrationService}. `emailVerified` marks the address as proved (seeded users).
   * Errors: BAD_USER_INPUT (email, phone, name, weak password), CONFLICT (email or phone taken).
   */
  async register(
    input: RegistrationInput,
    origin: RequestOrigin,
    roles: Role[] = ['CUSTOMER'],
    options: { emailVerified?: boolean } = {},
  ): Promise<UserRecord> {
    const row = await newUserRow(input, roles, options);
    try {
      await this.db.transaction(async (manager) => {
        await manager.insert(UserEntity, row);
        await recordAuditEvent(manager, 'REGISTERED', row.id, origin);
      });
    } catch (err) {
      throw mapPostgresError(err, USER_MEANINGS) ?? err;
    }
    return toUserRecord(row);
  }

  /** Marks a user's current address as proved, if it is not yet (seeded users). */
  async markEmailVerified(userId: string): Promise<void> {
    await this.db.query(`UPDATE identity.users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL`, [userId]);
  }

  /** The user with this (normalised) email, or null. */
  async findByEmail(email: string): Promise<UserRecord | null> {
    const row = await this.db.getRepository(UserEntity).findOneBy({ email: normaliseEmail(email) });
    return row ? toUserRecord(row) : null;
  }

  /** The user with this (normalised, E.164) phone number, or null. */
  async findByPhone(phone: string): Promise<UserRecord | null> {
    const row = await this.db.getRepository(UserEntity).findOneBy({ phone: normalisePhone(phone) });
    return row ? toUserRecord(row) : null;
  }

  /** The user with this id, or null. */
  async findById(id: string): Promise<UserRecord | null> {
    return (await this.findByIds([id]))[0];
  }

  /** Users by id, in the order asked, null where missing (for DataLoader). */
  async findByIds(ids: readonly string[]): Promise<(UserRecord | null)[]> {
    // Ids that are not UUIDs cannot exist; filtering them keeps PostgreSQL's cast error out.
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await this.db.getRepository(UserEntity).findBy({ id: In(valid) }) : [];
    const byId = new Map(rows.map((r) => [r.id, toUserRecord(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }
}
