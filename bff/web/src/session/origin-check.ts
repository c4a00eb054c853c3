import type { FastifyRequest } from 'fastify';

/** The origin a browser request came from: `Origin`, else the origin of `Referer`, else undefined. */
export function requestOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') return origin;
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return origin === 'null' ? 'null' : undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * Whether a browser origin may act on this BFF: the BFF's own origin (the
 * dashboard served from the same host) or one on the allow-list. The scheme is
 * not compared for the own origin because TLS usually ends at a proxy in front.
 */
export function isAllowedOrigin(origin: string, request: FastifyRequest, allowList: ReadonlySet<string>): boolean {
  if (allowList.has(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = request.headers.host;
  return typeof host === 'string' && (url.protocol === 'https:' || url.protocol === 'http:') && url.host === host.toLowerCase();
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when the request is addressed to this machine (development over plain HTTP). */
export function isLocalRequest(request: FastifyRequest): boolean {
  return LOCAL_HOSTS.has(request.hostname.toLowerCase());
}
