import { errors } from '@meridian/platform';

// Control and format characters (including bidi overrides) have no place in a name shown to others.
const forbidden = /[\p{Cc}\p{Cf}]/u;

/** Trims and checks a display name (1–100 characters). Errors: BAD_USER_INPUT. */
export function normaliseDisplayName(input: string): string {
  const name = input.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length < 1 || name.length > 100 || forbidden.test(name)) {
    throw errors.badInput('The display name must be 1 to 100 printable characters.', { field: 'displayName' });
  }
  return name;
}
