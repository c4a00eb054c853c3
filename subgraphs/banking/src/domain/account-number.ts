/** Luhn check digit of a string of digits. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A 13-digit account number: a 12-digit sequence value and its Luhn check digit. */
export function accountNumberFor(sequenceValue: bigint): string {
  const digits = sequenceValue.toString().padStart(12, '0');
  return digits + luhnCheckDigit(digits);
}

