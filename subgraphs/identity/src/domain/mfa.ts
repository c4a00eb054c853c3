import { createHash, randomBytes } from 'node:crypto';

/** A second factor a user can present. */
export type MfaMethod = 'TOTP' | 'RECOVERY_CODE' | 'EMAIL' | 'SMS';

/** Where a one-time code is sent. */
export type MfaChannel = 'EMAIL' | 'SMS';

/** The order methods are offered in: the strongest first. */
export const MFA_METHOD_ORDER: readonly MfaMethod[] = ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'];

/**
 * How second factors behave. Limits follow Okta's and Auth0's defaults: codes
 * live minutes, not hours, and a handful of wrong guesses stops the guessing.
 */
export interface MfaPolicy {
  /** How long a sign-in may wait for its second factor (the mfaToken's life); default 5 minutes. */
  challengeTtlMs: number;
  /** How long an email or SMS code works; default 5 minutes. */
  codeTtlMs: number;
  /** Shortest wait between two codes for one sign-in or session; default 30 s. */
  resendAfterMs: number;
  /** Wrong guesses one sign-in attempt may make before it is over; default 5. */
  maxFailuresPerChallenge: number;
  /** Wrong guesses a user may make across sign-ins and step-ups within the window; default 5. */
  maxFailuresPerUser: number;
  /** The window of {@link maxFailuresPerUser}, from its first wrong guess; default 15 minutes. */
  failureWindowMs: number;
  /** Recovery codes issued at a time; default 10. */
  recoveryCodeCount: number;
}

export const DEFAULT_MFA_POLICY: MfaPolicy = {
  challengeTtlMs: 5 * 60_000,
  codeTtlMs: 5 * 60_000,
  resendAfterMs: 30_000,
  maxFailuresPerChallenge: 5,
  maxFailuresPerUser: 5,
  failureWindowMs: 15 * 60_000,
  recoveryCodeCount: 10,
};

/** RFC 8176 values each method adds to a session's `amr`, besides `mfa`. Email and recovery codes have none of their own. */
const METHOD_AMR: Record<MfaMethod, string[]> = { TOTP: ['otp'], RECOVERY_CODE: [], EMAIL: [], SMS: ['sms'] };

/** A session's `amr` after a second factor by `method`: what it had, the method's values and `mfa`. */
export function amrWith(current: readonly string[], method: MfaMethod): string[] {
  return [...new Set([...current, ...METHOD_AMR[method], 'mfa'])];
}

const MFA_TOKEN_PREFIX = 'mfa_';

/** A new opaque mfaToken for one sign-in attempt and the hash stored in its place. */
export function generateMfaToken(): { token: string; hash: string } {
  const token = MFA_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashMfaToken(token) };
}

/** SHA-256 of an mfaToken: only hashes are stored. */
export function hashMfaToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Cheap shape check before touching the database. */
export function looksLikeMfaToken(token: string): boolean {
  return token.startsWith(MFA_TOKEN_PREFIX) && token.length === MFA_TOKEN_PREFIX.length + 43;
}

/** A one-time code as sent: 6 digits. */
export const ONE_TIME_CODE = /^\d{6}$/;

/** Digits only, spaces dropped: `123 456` is `123456`. */
export function normaliseDigits(input: string): string {
  return input.replace(/\s+/g, '');
}
