import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { errors } from '@meridian/platform';
import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';

/** Argon2id with OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane. */
// `2` is Algorithm.Argon2id; the package's const enum cannot be imported under isolatedModules.
const argon2Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

/** The lowest zxcvbn score accepted (0–4): 3 is "safely unguessable: moderate protection from offline slow-hash attacks". */
export const MIN_PASSWORD_SCORE = 3;

// zxcvbn-ts with its common-password, name and English word lists: strength by how a cracker guesses, not character classes.
zxcvbnOptions.setOptions({
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: zxcvbnEn.translations,
});

/**
 * Refuses passwords that are too short or long, or that a guesser would find
 * quickly (zxcvbn score below {@link MIN_PASSWORD_SCORE}: common and breached
 * passwords, keyboard runs, repeats, dates, words with predictable changes, or
 * the user's own email or name), as NIST 800-63B asks: length and a check
 * against known-bad passwords, no character-class rules. The message says why
 * and what would help. Errors: BAD_USER_INPUT (`field: password`).
 */
export function assertStrongPassword(password: string, email: string, displayName?: string): void {
  const weak = (why: string) => errors.badInput(`The password is too weak: ${why}`, { field: 'password' });
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw weak(`use at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (length > MAX_PASSWORD_LENGTH) throw errors.badInput(`The password must be at most ${MAX_PASSWORD_LENGTH} characters.`, { field: 'password' });
  const name = email.split('@')[0];
  if (name.length >= 4 && password.toLowerCase().includes(name.toLowerCase())) throw weak('it must not contain your email address.');
  const userInputs = [email, name, ...(displayName ? [displayName, ...displayName.split(/\s+/)] : []), 'meridian'];
  const { score, feedback } = zxcvbn(password, userInputs);
  if (score < MIN_PASSWORD_SCORE) {
    const why = feedback.warning ? feedback.warning.replace(/\.?$/, '.') : 'it would be guessed quickly.';
    const help = feedback.suggestions.length > 0 ? ` ${feedback.suggestions.join(' ')}` : ' A few uncommon words together make a strong password.';
    throw weak(`${why.charAt(0).toLowerCase()}${why.slice(1)}${help}`);
  }
}

/** Hashes a password with Argon2id (PHC string with salt and parameters). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

/** Verifies a password against a PHC hash in constant time; false on any mismatch or malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random secret, verified against when an email is unknown so both paths take the same time. */
export function createDecoyHash(): Promise<string> {
  return hashPassword(randomBytes(24).toString('base64url'));
}
