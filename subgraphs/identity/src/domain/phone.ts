import { errors } from '@meridian/platform';

const e164 = /^\+[1-9]\d{7,14}$/;

/** Accepts E.164 numbers, allowing spaces, dashes and brackets in the input. Errors: BAD_USER_INPUT. */
export function normalisePhone(input: string): string {
  const phone = input.replace(/[\s\-().]/g, '');
  if (!e164.test(phone)) {
    throw errors.badInput('The phone number must be in international E.164 form, e.g. +447700900123.', { field: 'phone' });
  }
  return phone;
}
