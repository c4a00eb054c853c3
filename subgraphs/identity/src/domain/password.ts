import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { errors } from '@meridian/platform';

/** Argon2id with OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane. */
// `2` is Algorithm.Argon2id; the package's const enum cannot be imported under isolatedModules.
const argon2Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

// The most common passwords of at least 12 characters in public breach lists; NIST 800-63B asks for a blocklist.
const common = new Set([
  'password1234', 'password12345', 'password123456', '123456789012', '1234567890123', 'qwertyuiop12',
  'qwerty123456', '111111111111', '000000000000', 'iloveyou1234', 'passwordpassword', 'abc123456789',
  'administrator', 'letmein12345', 'welcome12345', 'football1234', 'baseball1234', 'princess1234',
  'sunshine1234', 'trustno1trustno1', 'qwertyuiopasdf', '1q2w3e4r5t6y', 'zaq12wsxcde3', 'changeme1234',
  'p@ssw0rd1234', 'password!234', 'monkey123456', 'dragon123456', 'mypassword12', 'mypassword123',
]);

/**
 * Refuses passwords that are too short or long, common, made of one repeated
 * character, or containing the email's name part. Errors: BAD_USER_INPUT.
 */
export function assertStrongPassword(password: string, email: string): void {
  const weak = (why: string) => errors.badInput(`The password is too weak: ${why}`, { field: 'password' });
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw weak(`use at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (length > MAX_PASSWORD_LENGTH) throw errors.badInput(`The password must be at most ${MAX_PASSWORD_LENGTH} characters.`, { field: 'password' });
  const lower = password.toLowerCase();
  if (common.has(lower)) throw weak('it is one of the most common passwords.');
  if (new Set(lower).size < 4) throw weak('use more different characters.');
  const name = email.split('@')[0];
  if (name.length >= 4 && lower.includes(name)) throw weak('it must not contain your email address.');
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
