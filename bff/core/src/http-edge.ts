import cors from '@fastify/cors';
import { IDEMPOTENCY_KEY_HEADER } from '@meridian/platform';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { BffConfig } from './bff-config';

/**
 * The BFF's HTTP edge, on every route: security headers (a `default-src 'none'`
 * content policy, HSTS, same-origin resources) and CORS for the origins of
 * `CORS_ALLOWED_ORIGINS` only, with credentials.
 */
export async function registerHttpEdge(app: FastifyInstance, config: Pick<BffConfig, 'CORS_ALLOWED_ORIGINS'>): Promise<void> {
  // Security headers on every response; the GraphiQL page sets its own content policy. Helmet's
  // middleware is built once here: its Fastify wrapper rebuilt it (and parsed the policy) per request.
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, done as (err?: unknown) => void));
  // Cross-origin browser calls only from the allow-list, with credentials (the web session cookie).
  const allowedOrigins = new Set(config.CORS_ALLOWED_ORIGINS);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'accept', 'authorization', 'x-request-id', 'traceparent', 'tracestate', 'apollo-require-preflight', 'x-device-id', IDEMPOTENCY_KEY_HEADER],
    exposedHeaders: ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining'],
    maxAge: 600,
  });
}
