import type { UserRow } from '../data/entities/user.entity';
import type { UserRecord } from '../domain/user';

/** Strips storage-only fields (the password hash) from a user row. */
export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    phone: row.phone,
    displayName: row.displayName,
    roles: row.roles,
    status: row.status,
    emailVerifiedAt: row.emailVerifiedAt ?? null,
    createdAt: row.createdAt,
  };
}
