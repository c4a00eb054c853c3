import { EntitySchema } from 'typeorm';

/**
 * A row of identity.sessions: one signed-in device or browser, i.e. one refresh-token
 * family. Its id is the family id and the `sid` of the session's access tokens.
 */
export interface SessionRow {
  id: string;
  userId: string;
  /** The device id given at sign-in; when set, every refresh must present it. */
  deviceId: string | null;
  /** The client's user agent at sign-in. */
  userAgent: string | null;
  createdAt: Date;
  /** Last sign-in or refresh. */
  lastActiveAt: Date;
  /** When the family's current refresh token expires. */
  expiresAt: Date;
  revokedAt: Date | null;
  /** How the user authenticated (RFC 8176 `amr`), carried by every access token of the session. */
  amr: string[];
  /** When the user last authenticated with the strongest factor in `amr`; a step-up moves it. */
  authTime: Date;
}

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid', name: 'user_id' },
    deviceId: { type: 'text', name: 'device_id', nullable: true },
    userAgent: { type: 'text', name: 'user_agent', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    lastActiveAt: { type: 'timestamptz', name: 'last_active_at' },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    revokedAt: { type: 'timestamptz', name: 'revoked_at', nullable: true },
    amr: { type: 'text', array: true },
    authTime: { type: 'timestamptz', name: 'auth_time' },
  },
});
