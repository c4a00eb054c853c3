import type { FastifyInstance } from 'fastify';

/**
 * A `fetch` that hands each request to a Fastify app in process
 * (`app.inject`), so one service's client can call another service in a
 * test without a port. Faults can be added around it.
 */
export function injectFetch(app: FastifyInstance): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    init.signal?.throwIfAborted();
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers,
      ...(init.body === undefined || init.body === null ? {} : { payload: String(init.body) }),
    });
    return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers: res.headers as Record<string, string> });
  }) as typeof fetch;
}
