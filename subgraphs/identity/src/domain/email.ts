import { errors } from '@meridian/platform';
import { z } from 'zod';

const emailSchema = z.email();

/**
 * Trims, NFC-normalises and lower-cases an email address and checks its form.
 * Errors: BAD_USER_INPUT.
 */
export function normaliseEmail(input: string): string {
  const email = input.normalize('NFC').trim().toLowerCase();
  if (email.length > 254 || !emailSchema.safeParse(email).success) {
    throw errors.badInput('The email address is not valid.', { field: 'email' });
  }
  return email;
}
