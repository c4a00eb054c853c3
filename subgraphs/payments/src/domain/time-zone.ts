import { errors } from '@meridian/platform';
import { IANAZone } from 'luxon';

/**
 * An IANA time zone such as Europe/London, trimmed. Abbreviations are refused
 * even where the runtime knows them: ICU reads `BST` as Bangladesh and `IST`
 * as India, and a British or Irish customer means neither.
 * Errors: BAD_USER_INPUT (`timeZone`, or the field given).
 */
export function parseTimeZone(zone: string, field = 'timeZone'): string {
  const name = zone.trim();
  if ((name !== 'UTC' && !name.includes('/')) || !IANAZone.isValidZone(name)) {
    throw errors.badInput('The time zone must be an IANA name such as Europe/London.', { field });
  }
  return name;
}
