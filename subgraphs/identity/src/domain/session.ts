import type { UserRecord } from './user';

/** A freshly issued token pair and its user. */
export interface IssuedSession {
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: UserRecord;
}
