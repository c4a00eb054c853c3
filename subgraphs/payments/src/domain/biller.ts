import { errors } from '@meridian/platform';
import { parseDestinationName } from './payee';

/** A biller as the customer typed it: who, the biller's code, and the customer's reference with them. */
export interface BillerInput {
  /** The name shown for the biller, 1–70 characters. */
  name: string;
  /** The code the biller is known by in the bill-payment scheme: 3–20 letters and digits. */
  billerCode: string;
  /** The customer's reference with the biller (an account or invoice number), 1–40 characters. */
  reference: string;
}

/** A checked biller: trimmed name, upper-case code, trimmed reference. */
export interface Biller {
  name: string;
  billerCode: string;
  reference: string;
}

/** A saved biller as lists show it: never the reference, which is sealed at rest. */
export interface BillerRecord {
  id: string;
  userId: string;
  name: string;
  billerCode: string;
  /** `•••• 6789`: see {@link maskedReference}. */
  maskedReference: string;
  createdAt: Date;
}

/** Most billers one customer may keep. */
export const MAX_BILLERS = 50;

/** Longest reference, as bill-payment schemes carry it. */
export const REFERENCE_MAX_LENGTH = 40;

const BILLER_CODE = /^[A-Z0-9]{3,20}$/;
// Control and format characters (bidi overrides among them) would make a reference read differently from what is sent.
const forbiddenInReference = /[\p{Cc}\p{Cf}]/u;

/**
 * Checks a biller: its name (as a payee's), a code of 3–20 ASCII letters and
 * digits (upper-cased), and a reference of 1–40 printable characters (trimmed).
 * Errors: BAD_USER_INPUT (`name`, `billerCode`, `reference`).
 */
export function parseBiller(input: BillerInput): Biller {
  const name = parseDestinationName(input.name, "The biller's");
  const billerCode = input.billerCode.trim().toUpperCase();
  if (!BILLER_CODE.test(billerCode)) throw errors.badInput('The biller code must be 3 to 20 letters and digits.', { field: 'billerCode' });
  // The message never repeats the reference: it may be an account number.
  const reference = input.reference.normalize('NFC').trim();
  const length = [...reference].length;
  if (length < 1 || length > REFERENCE_MAX_LENGTH || forbiddenInReference.test(reference)) {
    throw errors.badInput(`The reference must be 1 to ${REFERENCE_MAX_LENGTH} printable characters.`, { field: 'reference' });
  }
  return { name, billerCode, reference };
}

/**
 * The reference as lists may show it: its last four characters, and never
 * more than half of it (`•••• 6789`, `•••• 34` for `1234`, `••••` for `7`).
 */
export function maskedReference(reference: string): string {
  const chars = [...reference];
  const shown = Math.min(4, Math.floor(chars.length / 2));
  return shown === 0 ? '••••' : `•••• ${chars.slice(-shown).join('')}`;
}
