// The checks payments makes of a payee, a biller and a card, made as the person types so that most
// mistakes never reach the API; the API's answer (a refusal naming the field) still has the last word.

/** A name shown for a payee or biller: 1 to 70 printable characters once trimmed. */
export function destinationNameError(value: string): string | null {
  const name = value.trim().replace(/\s+/g, ' ');
  if (!name) return 'Enter a name.';
  if ([...name].length > 70) return 'Use at most 70 characters.';
  return /[\p{Cc}\p{Cf}]/u.test(name) ? 'Use letters, digits, spaces and punctuation only.' : null;
}

/** An IBAN without spaces, upper case. */
export const compactIban = (value: string): string => value.replace(/\s+/g, '').toUpperCase();

/** Whether an IBAN's shape and ISO 7064 check digits (mod 97) are right; the country's own length is the API's to check. */
export function isPlausibleIban(value: string): boolean {
  const iban = compactIban(value);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/** A BIC: 8 or 11 letters and digits (bank, country, location, optional branch). */
export const isPlausibleBic = (value: string): boolean => /^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value.replace(/\s+/g, '').toUpperCase());

/** A UK sort code: six digits, dashes or spaces allowed. */
export const isSortCode = (value: string): boolean => /^\d{6}$/.test(value.replace(/[\s-]/g, ''));

/** A UK account number: eight digits. */
export const isUkAccountNumber = (value: string): boolean => /^\d{8}$/.test(value.replace(/\s/g, ''));

/** A card number: 12 to 19 digits (spaces and dashes allowed) passing the Luhn check. */
export function isPlausibleCardNumber(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** American Express numbers start 34 or 37 and take a four-digit security code. */
export const isAmericanExpress = (number: string): boolean => /^3[47]/.test(number.replace(/[\s-]/g, ''));
