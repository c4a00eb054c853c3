import type { BffOperationResult } from '@meridian/bff-core';
import { httpStatusFor, isErrorCode, type Logger } from '@meridian/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type { IdentityCalls, WebLogin } from './identity-calls';
import type { SessionCookie } from './session-cookie';
import type { LoadedWebSession, WebSessionStore } from './web-session-store';

/** What the /auth routes share. */
export interface SessionRouteDeps {
  store: WebSessionStore;
  cookie: SessionCookie;
  identity: IdentityCalls;
  log: Logger;
}

/**
 * Identity's refusal passed on: the BFF's own HTTP status when it refused,
 * else the code's (identity answers 200 with errors), else `fallback`;
 * `Retry-After` is kept.
 */
export function passRefusal(reply: FastifyReply, result: BffOperationResult, fallback: number) {
  const extensions = result.body.errors?.[0]?.extensions ?? {};
  const retryAfter = result.headers.get('retry-after') ?? (typeof extensions.retryAfter === 'number' ? String(extensions.retryAfter) : undefined);
  if (retryAfter) reply.header('retry-after', retryAfter);
  const status = result.status >= 400 ? result.status : isErrorCode(extensions.code) ? httpStatusFor[extensions.code] : fallback;
  return reply.code(status).send({ errors: result.body.errors });
}

/** A web session as the /auth routes show it. */
export function describeSession(store: WebSessionStore, session: LoadedWebSession['session']) {
  return {
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    expiresAt: new Date(session.absoluteExpiresAt).toISOString(),
    idleTimeoutSeconds: Math.round(store.timeouts.idleMs / 1000),
  };
}

/** Ends a session here and, as far as it can, in identity (the record here is what the cookie needs). */
export async function endSessionQuietly(deps: SessionRouteDeps, request: FastifyRequest, loaded: LoadedWebSession): Promise<void> {
  await deps.store.destroy(loaded);
  await deps.identity.logout(request, loaded.session.refreshToken, loaded.session.accessToken).catch((err: Error) => {
    deps.log.warn({ err: err.message }, 'identity sign-out failed; the web session is ended');
  });
}

/** Keeps a signed-in session's tokens in a new record, sets its cookie and answers with the user and the session. */
export async function startWebSession(deps: SessionRouteDeps, request: FastifyRequest, reply: FastifyReply, login: WebLogin) {
  const { secret, session } = await deps.store.create({
    id: String(decodeJwt(login.accessToken).sid),
    userId: login.user.id,
    accessToken: login.accessToken,
    accessExpiresAt: Date.parse(login.expiresAt),
    refreshToken: login.refreshToken,
    refreshExpiresAt: Date.parse(login.refreshExpiresAt),
  });
  deps.cookie.set(request, reply, secret);
  return reply.send({ user: login.user, session: describeSession(deps.store, session) });
}
