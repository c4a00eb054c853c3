import { randomInt } from 'node:crypto';

// Lower-case letters and digits without the look-alikes (0/o, 1/l/i): 31 symbols, so ten carry about 50 bits.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

/** `count` fresh recovery codes, `xxxxx-xxxxx`, from a CSPRNG. */
export function generateRecoveryCodes(count: number): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * A recovery code as typed — any case, with or without the dash or spaces — in
 * the form it was issued, or null when it cannot be one.
 */
export function normaliseRecoveryCode(input: string): string | null {
  const chars = input.toLowerCase().replace(/[\s-]/g, '');
  if (chars.length !== LENGTH || [...chars].some((c) => !ALPHABET.includes(c))) return null;
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}
