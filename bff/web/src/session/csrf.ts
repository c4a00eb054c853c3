import type { FastifyRequest } from 'fastify';
import { isAllowedOrigin, requestOrigin } from './origin-check';

/**
 * CSRF: a request that carries the session cookie, or that signs in or out,
 * and changes state must come from an allowed origin (Origin, else Referer),
 * and a sign-in or sign-out must send JSON. Together with JSON-only bodies (a
 * cross-site form cannot send them) this refuses cross-site forms and scripts
 * alike. Returns why the request is refused, or undefined.
 */
export function csrfRefusal(request: FastifyRequest, hasCookie: boolean, allowList: ReadonlySet<string>): string | undefined {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return undefined;
  const signing = request.routeOptions.url?.startsWith('/auth/') === true;
  if (!hasCookie && !signing) return undefined;
  const origin = requestOrigin(request);
  if (origin === undefined) {
    // Browsers always send Origin on POST; a cookie without one is not a browser we can vouch for.
    return hasCookie ? 'A request with a session cookie must say its Origin.' : undefined;
  }
  if (!isAllowedOrigin(origin, request, allowList)) return `Requests from ${origin} may not act on this session.`;
  if (signing) {
    const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return 'Send a JSON body (content-type: application/json).';
  }
  return undefined;
}
