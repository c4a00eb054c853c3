import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** What a one-time account token proves; its prefix says which, so one kind is never taken for another. */
export type AccountTokenKind = 'EMAIL_VERIFICATION' | 'PASSWORD_RESET';

const PREFIX: Record<AccountTokenKind, string> = { EMAIL_VERIFICATION: 'mev_', PASSWORD_RESET: 'mpr_' };

/** 32 random bytes in base64url. */
const TOKEN_BODY_LENGTH = 43;

/** How long links and codes work, and how many wrong codes a reset takes. */
export interface AccountTokenPolicy {
  /** How long an email verification link works; default 24 hours. */
  emailVerificationTtlMs: number;
  /** How long a password reset (link and code) works; default 30 minutes. */
  passwordResetTtlMs: number;
  /** Wrong codes after which a reset is void; default 5. */
  maxResetCodeAttempts: number;
}

export const DEFAULT_ACCOUNT_TOKEN_POLICY: AccountTokenPolicy = {
  emailVerificationTtlMs: 24 * 3_600_000,
  passwordResetTtlMs: 30 * 60_000,
  maxResetCodeAttempts: 5,
};

/** A new one-time token (prefix and 32 bytes from the CSPRNG) and the SHA-256 kept in its place. */
export function generateAccountToken(kind: AccountTokenKind): { token: string; hash: Buffer } {
  const token = PREFIX[kind] + randomBytes(32).toString('base64url');
  return { token, hash: hashAccountToken(token) };
}

/** SHA-256 of a token: a database leak yields no usable link. */
export function hashAccountToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Cheap shape check before the database is asked. */
export function looksLikeAccountToken(token: string, kind: AccountTokenKind): boolean {
  return token.length === PREFIX[kind].length + TOKEN_BODY_LENGTH && token.startsWith(PREFIX[kind]) && /^[A-Za-z0-9_-]+$/.test(token.slice(4));
}

/** Digits in a password reset code. */
export const RESET_CODE_LENGTH = 8;
const RESET_CODE = new RegExp(`^\\d{${RESET_CODE_LENGTH}}$`);

/** A reset code to type into the app: 8 digits from the CSPRNG. */
export function generateResetCode(): string {
  return String(randomInt(0, 10 ** RESET_CODE_LENGTH)).padStart(RESET_CODE_LENGTH, '0');
}

/** The code as typed, without spaces or dashes; null when it cannot be a code. */
export function normaliseResetCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '');
  return RESET_CODE.test(code) ? code : null;
}

/** SHA-256 of a reset's id and its code: each reset hashes its code differently. */
export function hashResetCode(resetId: string, code: string): Buffer {
  return createHash('sha256').update(`${resetId}:${code}`).digest();
}

/** Whether `code` is the one whose hash is `stored`, compared in constant time. */
export function resetCodeMatches(resetId: string, code: string, stored: Buffer): boolean {
  const given = hashResetCode(resetId, code);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** A token row as far as liveness goes. */
export interface OneTimeRow {
  expiresAt: Date;
  usedAt: Date | null;
  voidedAt: Date | null;
}

/** Not used, not replaced or voided, and not expired at `now`. */
export function isLive(row: OneTimeRow | null | undefined, now: Date): row is OneTimeRow {
  return !!row && !row.usedAt && !row.voidedAt && row.expiresAt.getTime() > now.getTime();
}
