import { errorBody, ErrorCode, httpStatusFor, isErrorCode } from '@meridian/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { BffOperationResult } from '@meridian/bff-core';
import type { WebLogin } from './identity-calls';
import { describeSession, endSessionQuietly, passRefusal, startWebSession, type SessionRouteDeps } from './session-replies';

const loginBody = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/** A refusal in the GraphQL error shape with the code's HTTP status. */
export function sendRefusal(reply: FastifyReply, code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(httpStatusFor[code]).type('application/json; charset=utf-8').send(errorBody(code, message, extra));
}

/**
 * Why identity's answer to a sign-out is not one: null when the session has
 * ended (`logout` answered, or the tokens were already refused), else the
 * status and errors to pass on (SERVICE_UNAVAILABLE when the revocation list
 * could not be written, RATE_LIMITED, …).
 */
function logoutRefusal(result: BffOperationResult): { status: number; errors: unknown } | null {
  if (typeof result.body.data?.logout === 'boolean') return null;
  const code = result.body.errors?.[0]?.extensions?.code;
  if (code === ErrorCode.UNAUTHENTICATED) return null;
  const status = result.status >= 400 ? result.status : isErrorCode(code) ? httpStatusFor[code] : httpStatusFor[ErrorCode.SERVICE_UNAVAILABLE];
  return { status, errors: result.body.errors };
}

/** What the /auth routes work with. */
export type SessionRoutesOptions = SessionRouteDeps;

/**
 * POST /auth/login (signs in with identity, stores the tokens, sets the
 * cookie; the browser's previous session ends first), POST /auth/logout (ends
 * the session in identity, then here, and clears the cookie) and GET /auth/session.
 */
export function registerSessionRoutes(app: FastifyInstance, options: SessionRoutesOptions): void {
  const { store, cookie, identity, log } = options;

  app.post('/auth/login', async (request, reply) => {
    const parsed = loginBody.safeParse(request.body);
    if (!parsed.success) return sendRefusal(reply, ErrorCode.BAD_USER_INPUT, 'Send {"email": "...", "password": "..."} as JSON.');
    // Rotation: whatever session this browser had ends before a new one starts (no session fixation).
    if (request.webSession) await endSessionQuietly(options, request, request.webSession);
    const result = await identity.login(request, parsed.data);
    const login = result.body.data?.login as WebLogin | undefined;
    if (!login) return passRefusal(reply, result, 401);
    return startWebSession(options, request, reply, login);
  });

  app.post('/auth/logout', async (request, reply) => {
    const session = request.webSession;
    if (session) {
      // Identity first: sign-out is answered only once identity has ended the session, and with it its access
      // token everywhere. If it could not, the browser stays signed in and may try again (the refusal says why).
      const refusal = await identity
        .logout(request, session.session.refreshToken, session.session.accessToken)
        .then(logoutRefusal, (err: Error) => {
          log.warn({ err: err.message }, 'identity sign-out failed');
          return { status: httpStatusFor[ErrorCode.SERVICE_UNAVAILABLE], errors: errorBody(ErrorCode.SERVICE_UNAVAILABLE, 'Signing out could not be completed. Try again shortly.').errors };
        });
      if (refusal) return reply.code(refusal.status).send({ errors: refusal.errors });
      await store.destroy(session);
    }
    cookie.clear(request, reply);
    return reply.send({ loggedOut: session !== null });
  });

  app.get('/auth/session', async (request, reply) => {
    if (!request.webSession) return sendRefusal(reply, ErrorCode.UNAUTHENTICATED, 'Not signed in.');
    const { session } = request.webSession;
    return reply.header('cache-control', 'no-store').send({ user: { id: session.userId }, session: describeSession(store, session) });
  });
}
