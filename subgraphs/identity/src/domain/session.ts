import type { UserRecord } from './user';

/** A freshly issued token pair and its user. */
export interface IssuedSession {
  /** The session (refresh-token family) the pair belongs to; the access token's `sid`. */
  sessionId: string;
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: UserRecord;
  /** How the user authenticated in this session (RFC 8176 `amr`). */
  amr: string[];
  /** When the user last gave the strongest factor in `amr`. */
  authTime: Date;
}

/** How a session's user authenticated: what its access tokens say in `amr` and `auth_time`. */
export interface SessionAuthentication {
  amr: string[];
  authTime: Date;
}

/** A live session as its user sees it in the list of signed-in devices. */
export interface UserSessionRecord {
  id: string;
  deviceId: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  /** Whether this is the session of the access token that asked. */
  current: boolean;
}

/** Longest device id kept; longer ones are cut here, at sign-in and at refresh alike, so both compare equal. */
export const MAX_DEVICE_ID_LENGTH = 128;

/** The device id as stored and compared: absent or empty is null. */
export function normaliseDeviceId(deviceId: string | null | undefined): string | null {
  return deviceId ? deviceId.slice(0, MAX_DEVICE_ID_LENGTH) : null;
}

/**
 * Whether a family bound to `boundTo` may be refreshed by a client presenting
 * `presented`. A family opened without a device refreshes with or without one.
 */
export function deviceMatches(boundTo: string | null, presented: string | null): boolean {
  return boundTo === null || boundTo === presented;
}
