import { ErrorCode, isSessionEnded, SESSION_ENDED, type AccessTokenVerifier } from '@meridian/platform';
import { GraphQLError } from 'graphql';
import { verifiedUser } from './bff-context';
import type { BffPlugin } from './bff-plugin';

/** Options for {@link useEndedSessions}. */
export interface EndedSessionsOptions {
  /** Verifies the request's access token against the session revocation list too. */
  verifyAccessToken: AccessTokenVerifier;
}

/**
 * Refuses, before anything is planned, a request whose bearer token belongs to
 * a session that has ended (signed out, revoked from another device, ended by
 * a password reset): UNAUTHENTICATED, `reason: SESSION_ENDED`, HTTP 401,
 * whatever the operation asks, so no subgraph sees the token and the app knows
 * to drop it and sign in again. Other token failures (expired, malformed) are
 * left to the steps after it and to the subgraphs, as before. The BFF's own
 * operations (the web BFF's sign-in, refresh and sign-out) are not checked.
 */
export function useEndedSessions(options: EndedSessionsOptions): BffPlugin {
  return {
    name: 'ended-sessions',
    async guard(request) {
      if (request.contextValue.internal) return;
      const { error } = await verifiedUser(request.contextValue, options.verifyAccessToken);
      if (!isSessionEnded(error)) return;
      throw new GraphQLError('This session has ended. Sign in again.', {
        extensions: { code: ErrorCode.UNAUTHENTICATED, reason: SESSION_ENDED, http: { status: 401 } },
      });
    },
  };
}
