import { canonicalEmail, errors } from '@meridian/platform';
import { z } from 'zod';

const emailSchema = z.email();

/**
 * Trims, NFC-normalises and lower-cases an email address ({@link canonicalEmail},
 * the form every per-email limit keys on too) and checks its form.
 * Errors: BAD_USER_INPUT.
 */
export function normaliseEmail(input: string): string {
  const email = canonicalEmail(input);
  if (email.length > 254 || !emailSchema.safeParse(email).success) {
    throw errors.badInput('The email address is not valid.', { field: 'email' });
  }
  return email;
}
