import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocalRequest } from './origin-check';

/** The secure cookie: host-only, HTTPS-only, never readable by scripts. */
export const SESSION_COOKIE = '__Host-meridian-session';
/** The same cookie on plain-HTTP localhost in development, where `Secure` and `__Host-` cannot be met. */
export const DEV_SESSION_COOKIE = 'meridian-session';

/** The session cookie as this BFF sets it: its name for a request, and setting and clearing it. */
export interface SessionCookie {
  /** The secret the request's cookie carries, if any. */
  read(request: FastifyRequest): string | undefined;
  set(request: FastifyRequest, reply: FastifyReply, secret: string): void;
  clear(request: FastifyRequest, reply: FastifyReply): void;
}

/** `__Host-meridian-session` (HttpOnly, Secure, SameSite=Lax, no Max-Age), relaxed only on plain-HTTP localhost in development. */
export function createSessionCookie(nodeEnv: 'development' | 'test' | 'production'): SessionCookie {
  const cookieFor = (request: FastifyRequest) => {
    const relaxed = nodeEnv === 'development' && isLocalRequest(request) && request.protocol === 'http';
    return relaxed ? { name: DEV_SESSION_COOKIE, secure: false } : { name: SESSION_COOKIE, secure: true };
  };
  return {
    read: (request) => request.cookies[cookieFor(request).name],
    set(request, reply, secret) {
      const { name, secure } = cookieFor(request);
      // No Max-Age: the cookie ends with the browser; the server enforces the idle and absolute timeouts.
      reply.setCookie(name, secret, { path: '/', httpOnly: true, secure, sameSite: 'lax' });
    },
    clear(request, reply) {
      const { name, secure } = cookieFor(request);
      reply.clearCookie(name, { path: '/', httpOnly: true, secure, sameSite: 'lax' });
    },
  };
}
