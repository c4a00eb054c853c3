import { errors } from '@meridian/platform';
import { electronicFormatIBAN, isValidBIC, isValidIBAN } from 'ibantools';

/** Account details of an external payee as the customer typed them; exactly one of the two forms. */
export interface PayeeInput {
  /** The name shown for the payee, 1–70 characters. */
  name: string;
  /** An IBAN, spaces and lowercase allowed. */
  iban?: string | null;
  /** The bank's BIC (SWIFT code), optional, only with an IBAN. */
  bic?: string | null;
  /** A UK sort code: six digits, dashes or spaces allowed. */
  sortCode?: string | null;
  /** A UK account number: eight digits. */
  accountNumber?: string | null;
}

/** Where a payee's money goes, normalised: an IBAN (electronic format) or a UK sort code and account number. */
export type PayeeAccount =
  | { scheme: 'IBAN'; iban: string; bic: string | null }
  | { scheme: 'UK_SORT_CODE'; sortCode: string; accountNumber: string };

/** A checked payee: trimmed name and normalised account. */
export interface Payee {
  name: string;
  account: PayeeAccount;
}

/** Longest payee name, as SEPA and Faster Payments carry it. */
export const PAYEE_NAME_MAX_LENGTH = 70;

/** Most payees one customer may keep. */
export const MAX_PAYEES = 50;

/** A saved payee as lists show it: never the account number, which is sealed at rest. */
export interface PayeeRecord {
  id: string;
  userId: string;
  name: string;
  scheme: PayeeAccount['scheme'];
  /** `•••• 5432`: see {@link maskedAccount}. */
  maskedAccount: string;
  /** ISO 3166 alpha-2. */
  country: string;
  createdAt: Date;
}

// Control and format characters (bidi overrides among them) have no place in a name shown to others.
const forbiddenInName = /[\p{Cc}\p{Cf}]/u;

// A blank optional field is what a form sends for "not filled in".
const given = (value: string | null | undefined): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * Checks the name a saved destination is shown under (`whose` as in "The payee's"):
 * trimmed, inner spaces collapsed, 1–70 printable characters. Errors: BAD_USER_INPUT (`name`).
 */
export function parseDestinationName(input: string, whose: string): string {
  const name = input.normalize('NFC').trim().replace(/\s+/g, ' ');
  const length = [...name].length;
  if (length < 1 || length > PAYEE_NAME_MAX_LENGTH || forbiddenInName.test(name)) {
    throw errors.badInput(`${whose} name must be 1 to ${PAYEE_NAME_MAX_LENGTH} printable characters.`, { field: 'name' });
  }
  return name;
}

/** Checks a payee's name: trimmed, 1–70 printable characters. Errors: BAD_USER_INPUT (`name`). */
export function parsePayeeName(input: string): string {
  return parseDestinationName(input, "The payee's");
}

/**
 * Checks an IBAN (checksum, length and format of its country) and an optional
 * BIC. Swiss and Liechtenstein QR-IBANs are refused: they take only QR-bill
 * payments with a reference, which a payee does not carry.
 * Errors: BAD_USER_INPUT (`iban`, `bic`).
 */
export function parseIbanAccount(iban: string, bic?: string | null): PayeeAccount {
  const electronic = electronicFormatIBAN(iban.replace(/\s+/g, '')) ?? '';
  if (!isValidIBAN(electronic, { allowQRIBAN: false })) {
    throw errors.badInput('The IBAN is not valid: check it against the payee’s bank details.', { field: 'iban' });
  }
  if (!given(bic)) return { scheme: 'IBAN', iban: electronic, bic: null };
  const normalisedBic = bic.replace(/\s+/g, '').toUpperCase();
  if (!isValidBIC(normalisedBic)) {
    throw errors.badInput('The BIC is not valid: it has 8 or 11 letters and digits, such as NWBKGB2L.', { field: 'bic' });
  }
  return { scheme: 'IBAN', iban: electronic, bic: normalisedBic };
}

/** Checks a UK sort code (six digits) and account number (eight digits). Errors: BAD_USER_INPUT (`sortCode`, `accountNumber`). */
export function parseUkAccount(sortCode: string, accountNumber: string): PayeeAccount {
  const code = sortCode.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(code)) {
    throw errors.badInput('The sort code must be six digits, such as 12-34-56.', { field: 'sortCode' });
  }
  const number = accountNumber.replace(/\s/g, '');
  if (!/^\d{8}$/.test(number)) {
    throw errors.badInput('The account number must be eight digits.', { field: 'accountNumber' });
  }
  return { scheme: 'UK_SORT_CODE', sortCode: code, accountNumber: number };
}

/**
 * Checks a payee: its name and exactly one form of account details, an IBAN
 * (with an optional BIC) or a UK sort code with an account number.
 * Errors: BAD_USER_INPUT (`name`, `iban`, `bic`, `sortCode`, `accountNumber`;
 * `fields` when both forms or neither are given).
 */
export function parsePayee(input: PayeeInput): Payee {
  const name = parsePayeeName(input.name);
  const { iban, bic, sortCode, accountNumber } = input;
  const hasUk = given(sortCode) || given(accountNumber);
  const fields = ['iban', 'sortCode', 'accountNumber'];
  if (given(iban)) {
    if (hasUk) throw errors.badInput('Give either an IBAN or a UK sort code and account number, not both.', { fields });
    return { name, account: parseIbanAccount(iban, bic) };
  }
  if (!hasUk) throw errors.badInput('Give the payee’s IBAN, or their UK sort code and account number.', { fields });
  if (given(bic)) throw errors.badInput('A BIC goes only with an IBAN.', { field: 'bic' });
  if (!given(sortCode)) throw errors.badInput('The sort code is missing.', { field: 'sortCode' });
  if (!given(accountNumber)) throw errors.badInput('The account number is missing.', { field: 'accountNumber' });
  return { name, account: parseUkAccount(sortCode, accountNumber) };
}

/** The account as lists may show it: its last four characters, `•••• 5432`. */
export function maskedAccount(account: PayeeAccount): string {
  const full = account.scheme === 'IBAN' ? account.iban : account.accountNumber;
  return `•••• ${full.slice(-4)}`;
}

/** The ISO 3166 country the account is held in: the IBAN's, or GB for a sort code. */
export function payeeCountry(account: PayeeAccount): string {
  return account.scheme === 'IBAN' ? account.iban.slice(0, 2) : 'GB';
}
