import { uuidv7 } from '@meridian/platform';
import type { UserRow } from '../data/entities/user.entity';
import { normaliseDisplayName } from '../domain/display-name';
import { normaliseEmail } from '../domain/email';
import { assertStrongPassword, hashPassword } from '../domain/password';
import { normalisePhone } from '../domain/phone';
import type { Role } from '../domain/user';
import type { RegistrationInput } from './account-service';

/**
 * A new, active user's row from what they typed: email, name and phone
 * normalised, the password held to the policy and hashed (the slow part).
 * Nothing is stored. Errors: BAD_USER_INPUT (email, phone, display name, weak password).
 */
export async function newUserRow(input: RegistrationInput, roles: Role[], options: { emailVerified?: boolean } = {}): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  const displayName = normaliseDisplayName(input.displayName);
  const phone = input.phone ? normalisePhone(input.phone) : null;
  assertStrongPassword(input.password, email, displayName);
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  return {
    id: uuidv7(),
    email,
    phone,
    displayName,
    passwordHash,
    roles,
    status: 'ACTIVE',
    emailVerifiedAt: options.emailVerified ? now : null,
    createdAt: now,
    updatedAt: now,
  };
}
