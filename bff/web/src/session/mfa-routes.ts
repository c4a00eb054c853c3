import { ErrorCode } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WebLogin, WebStepUp } from './identity-calls';
import { describeSession, endSessionQuietly, passRefusal, startWebSession, type SessionRouteDeps } from './session-replies';
import { REFRESH_LOCK_TTL_MS, waitOnRefresh } from './session-refresh';
import { sendRefusal } from './session-routes';
import type { LoadedWebSession } from './web-session-store';

const METHODS = ['TOTP', 'RECOVERY_CODE', 'EMAIL', 'SMS'] as const;
const code = z.string().min(1).max(64);
const completeBody = z.object({ mfaToken: z.string().min(1).max(256), method: z.enum(METHODS), code });
const stepUpBody = z.object({ method: z.enum(METHODS), code });

/** What the second-factor routes work with. */
export type MfaRoutesOptions = SessionRouteDeps;

/**
 * The second factor on the web, in the token-handler pattern like /auth/login:
 * POST /auth/mfa finishes a sign-in that /auth/login answered with
 * MFA_REQUIRED (its `mfaToken`, a method and a code) and sets the session
 * cookie; POST /auth/step-up steps the cookie's session up and keeps the new
 * tokens in the session record, so the next /graphql request carries the
 * fresh `auth_time`. Codes by email or SMS are asked for with the GraphQL
 * mutations `sendSignInCode` and `requestStepUpCode`.
 */
export function registerMfaRoutes(app: FastifyInstance, options: MfaRoutesOptions): void {
  const { store, identity } = options;

  app.post('/auth/mfa', async (request, reply) => {
    const parsed = completeBody.safeParse(request.body);
    if (!parsed.success) {
      return sendRefusal(reply, ErrorCode.BAD_USER_INPUT, 'Send {"mfaToken": "...", "method": "TOTP" | "RECOVERY_CODE" | "EMAIL" | "SMS", "code": "..."} as JSON.');
    }
    // Rotation, as at /auth/login: a session this browser still holds ends before the new one starts.
    if (request.webSession) await endSessionQuietly(options, request, request.webSession);
    const result = await identity.completeSignIn(request, parsed.data);
    const login = result.body.data?.completeSignIn as WebLogin | undefined;
    if (!login) return passRefusal(reply, result, 401);
    return startWebSession(options, request, reply, login);
  });

  app.post('/auth/step-up', async (request, reply) => {
    const parsed = stepUpBody.safeParse(request.body);
    if (!parsed.success) return sendRefusal(reply, ErrorCode.BAD_USER_INPUT, 'Send {"method": "TOTP" | "RECOVERY_CODE" | "EMAIL" | "SMS", "code": "..."} as JSON.');
    const loaded = request.webSession;
    if (!loaded) return sendRefusal(reply, ErrorCode.UNAUTHENTICATED, 'Not signed in.');
    // The step-up retires the refresh token the record holds: no refresh of this session may run meanwhile.
    const locked = await waitOnRefresh(async () => (await store.lockRefresh(loaded.handle, REFRESH_LOCK_TTL_MS)) || undefined);
    if (!locked) return sendRefusal(reply, ErrorCode.SERVICE_UNAVAILABLE, 'The session is busy. Try again shortly.');
    try {
      const latest = await store.read(loaded.handle);
      if (!latest) return sendRefusal(reply, ErrorCode.UNAUTHENTICATED, 'Not signed in.');
      const result = await identity.stepUp(request, parsed.data, latest.session.accessToken);
      const stepped = result.body.data?.stepUp as WebStepUp | undefined;
      if (!stepped) return passRefusal(reply, result, 400);
      const next: LoadedWebSession = {
        handle: latest.handle,
        session: {
          ...latest.session,
          accessToken: stepped.accessToken,
          accessExpiresAt: Date.parse(stepped.expiresAt),
          refreshToken: stepped.refreshToken,
          refreshExpiresAt: Date.parse(stepped.refreshExpiresAt),
        },
      };
      await store.save(next);
      return reply.header('cache-control', 'no-store').send({ session: describeSession(store, next.session), amr: stepped.amr, authTime: stepped.authTime });
    } finally {
      await store.unlockRefresh(loaded.handle);
    }
  });
}
