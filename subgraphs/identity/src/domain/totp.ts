import { Secret, TOTP } from 'otpauth';

/** What authenticator apps expect by default (RFC 6238): SHA-1, 6 digits, 30-second steps. */
const TOTP_SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** The issuer shown in authenticator apps. */
export const TOTP_ISSUER = 'Meridian';

/** Time steps either side of now that are accepted, for clocks that drift and codes typed slowly. */
export const TOTP_WINDOW = 1;

/** A new shared secret: 20 random bytes (RFC 4226's recommended length), base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secret: string, label = ''): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, secret: Secret.fromBase32(secret), ...TOTP_SETTINGS });
}

/** The `otpauth://totp/...` URI an authenticator app imports (issuer Meridian, labelled with the email). */
export function totpUri(secret: string, email: string): string {
  return totpOf(secret, email).toString();
}

/** The outcome of checking a TOTP code. */
export type TotpCheck = { ok: true; counter: number } | { ok: false; reason: 'WRONG' | 'REUSED' };

/**
 * Checks `code` against `secret` at `now`, within {@link TOTP_WINDOW} steps,
 * in constant time. A code whose time step is not after `lastCounter` (the
 * last step accepted) is refused as reused, so a code seen once — over a
 * shoulder, in a phishing proxy — cannot be replayed within its step.
 */
export function checkTotp(secret: string, code: string, lastCounter: number | null, now: number = Date.now()): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'WRONG' };
  const totp = totpOf(secret);
  const delta = totp.validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  if (delta === null) return { ok: false, reason: 'WRONG' };
  const counter = totp.counter({ timestamp: now }) + delta;
  if (lastCounter !== null && counter <= lastCounter) return { ok: false, reason: 'REUSED' };
  return { ok: true, counter };
}
