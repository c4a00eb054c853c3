import { EntitySchema } from 'typeorm';
import type { Role, UserStatus } from '../../domain/user';

/** A row of identity.users. */
export interface UserRow {
  id: string;
  email: string;
  phone: string | null;
  displayName: string;
  passwordHash: string;
  roles: Role[];
  status: UserStatus;
  /** When the user proved they receive mail at `email`; null until then. */
  emailVerifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const UserEntity = new EntitySchema<UserRow>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'uuid', primary: true },
    email: { type: 'text', unique: true },
    phone: { type: 'text', nullable: true },
    displayName: { type: 'text', name: 'display_name' },
    passwordHash: { type: 'text', name: 'password_hash' },
    roles: { type: 'text', array: true },
    status: { type: 'text' },
    emailVerifiedAt: { type: 'timestamptz', name: 'email_verified_at', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
  },
});
