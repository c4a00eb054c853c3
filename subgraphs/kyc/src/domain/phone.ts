import { errors } from '@meridian/platform';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A mobile number in E.164 form. Numbers are read with libphonenumber's full
 * metadata: a number that cannot exist is PHONE_INVALID, a landline
 * PHONE_NOT_MOBILE (codes go by SMS). Errors: BAD_USER_INPUT with `field` phone.
 */
export function parseMobileNumber(value: string): string {
  const parsed = parsePhoneNumberFromString(value.trim());
  if (!parsed || !parsed.isValid()) {
    throw errors.badInput('The phone number is not valid; write it in international form, e.g. +447911123456.', { field: 'phone', reason: 'PHONE_INVALID' });
  }
  const type = parsed.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
    throw errors.badInput('Codes are sent by SMS: give a mobile number.', { field: 'phone', reason: 'PHONE_NOT_MOBILE' });
  }
  return parsed.number;
}
