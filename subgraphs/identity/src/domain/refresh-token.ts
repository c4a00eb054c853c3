import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'mrt_';

/** A new opaque refresh token and the hash that is stored in its place. */
export function generateRefreshToken(): { token: string; hash: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** SHA-256 of a refresh token: only hashes are stored, so a database leak yields no usable tokens. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Cheap shape check before touching the database. */
export function looksLikeRefreshToken(token: string): boolean {
  return token.startsWith(PREFIX) && token.length === PREFIX.length + 43;
}
