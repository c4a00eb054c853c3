import { errors } from '@meridian/platform';
import countries from 'i18n-iso-countries';

/** Personal data fields KYC holds. */
export type ProfileField = 'legalName' | 'dateOfBirth' | 'nationality' | 'address' | 'taxId' | 'phone';

export const PROFILE_FIELDS: readonly ProfileField[] = ['legalName', 'dateOfBirth', 'nationality', 'address', 'taxId', 'phone'];

/** A residential address. */
export interface Address {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
}

/** A customer's personal data, decrypted. */
export interface PersonalData {
  legalName?: string;
  dateOfBirth?: string;
  nationality?: string;
  address?: Address;
  taxId?: string;
  phone?: string;
}

export type FieldStatus = 'PROVIDED' | 'VERIFIED';
export type FieldSource = 'CUSTOMER' | 'PHONE_CODE' | 'PROVIDER' | 'STAFF';

/** How far one field is checked. */
export interface FieldState {
  status: FieldStatus;
  source: FieldSource;
  updatedAt: string;
  verifiedAt?: string;
}

export type FieldStates = Partial<Record<ProfileField, FieldState>>;

/** The youngest a customer may be. */
export const MINIMUM_AGE = 18;

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{Zs}.,'’()\-/#&]+$/u;

function text(value: string, field: string, min: number, max: number): string {
  const trimmed = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (trimmed.length < min || trimmed.length > max) {
    throw errors.badInput(`${field} must be ${min} to ${max} characters.`, { field, reason: 'LENGTH' });
  }
  if (!PRINTABLE.test(trimmed)) throw errors.badInput(`${field} has characters that are not allowed.`, { field, reason: 'CHARACTERS' });
  return trimmed;
}

/** A legal name, 2 to 140 letters, spaces and name punctuation. Errors: BAD_USER_INPUT. */
export function parseLegalName(value: string): string {
  const name = text(value, 'legalName', 2, 140);
  if (!/\p{L}/u.test(name) || /\p{N}/u.test(name)) {
    throw errors.badInput('legalName must be a name, without digits.', { field: 'legalName', reason: 'CHARACTERS' });
  }
  return name;
}

/** Whole years between a date of birth and `today`. */
export function ageOn(dateOfBirth: string, today: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number);
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age -= 1;
  return age;
}

/**
 * A date of birth `YYYY-MM-DD`: a real calendar date, not in the future, not
 * before 1900, the customer at least {@link MINIMUM_AGE}. Errors: BAD_USER_INPUT
 * with `reason` DATE_FORMAT, DATE_INVALID, DATE_IN_FUTURE, DATE_TOO_EARLY, UNDERAGE.
 */
export function parseDateOfBirth(value: string, now = new Date()): string {
  const field = 'dateOfBirth';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) throw errors.badInput('dateOfBirth must be written YYYY-MM-DD.', { field, reason: 'DATE_FORMAT' });
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw errors.badInput(`${value.trim()} is not a date.`, { field, reason: 'DATE_INVALID' });
  }
  const iso = value.trim();
  if (date.getTime() > now.getTime()) throw errors.badInput('dateOfBirth is in the future.', { field, reason: 'DATE_IN_FUTURE' });
  if (y < 1900) throw errors.badInput('dateOfBirth must be after 1900.', { field, reason: 'DATE_TOO_EARLY' });
  if (ageOn(iso, now) < MINIMUM_AGE) {
    throw errors.badInput(`Customers must be ${MINIMUM_AGE} or over.`, { field, reason: 'UNDERAGE' });
  }
  return iso;
}

/** An ISO 3166-1 alpha-2 code, upper-cased. Errors: BAD_USER_INPUT (`reason` COUNTRY_UNKNOWN). */
export function parseCountry(value: string, field: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || !countries.isValid(code)) {
    throw errors.badInput(`${field} must be an ISO 3166-1 alpha-2 country code, e.g. GB.`, { field, reason: 'COUNTRY_UNKNOWN' });
  }
  return code;
}

/** A residential address, each part checked. Errors: BAD_USER_INPUT naming the part. */
export function parseAddress(value: Address): Address {
  const postalCode = value.postalCode.trim().toUpperCase().replace(/\s+/g, ' ');
  if (!/^[A-Z0-9][A-Z0-9 -]{0,10}[A-Z0-9]$/.test(postalCode)) {
    throw errors.badInput('address.postalCode must be 2 to 12 letters, digits, spaces or dashes.', { field: 'address.postalCode', reason: 'FORMAT' });
  }
  const line2 = value.line2?.trim() ? text(value.line2, 'address.line2', 1, 100) : null;
  return {
    line1: text(value.line1, 'address.line1', 1, 100),
    line2,
    city: text(value.city, 'address.city', 1, 60),
    postalCode,
    country: parseCountry(value.country, 'address.country'),
  };
}

/** A tax id: 5 to 20 letters and digits once spaces and dashes are dropped, upper-cased. Errors: BAD_USER_INPUT. */
export function parseTaxId(value: string): string {
  const id = value.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z0-9]{5,20}$/.test(id)) {
    throw errors.badInput('taxId must be 5 to 20 letters and digits.', { field: 'taxId', reason: 'FORMAT' });
  }
  return id;
}
