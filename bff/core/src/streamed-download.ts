import { Readable } from 'node:stream';
import {
  codeForStatus,
  errorBody,
  ErrorCode,
  SERVICE_TOKEN_HEADER,
  type Logger,
  type RateLimiter,
  type RateLimitMetrics,
  type RateLimitPolicy,
  type ServiceTokenIssuer,
} from '@meridian/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** How a BFF's downloads act for the user: the same for every download route. */
export interface DownloadCaller {
  /** Signs this BFF's service tokens. */
  issueServiceToken: ServiceTokenIssuer;
  /** The request's `Authorization` header as GraphQL would send it (the bearer token, or on the web the session's). */
  authorizationOf: (request: FastifyRequest) => Promise<string | undefined>;
  logger: Logger;
  /** Longest the service may take to start answering (its status and headers); default 10 s. The body then takes as long as it takes. */
  timeoutMs?: number;
  /**
   * The shared limiter and whose the Authorization is: each download route allows each user `perHour` downloads.
   * Refusals are counted in `metrics` as limit `download:<route>`.
   */
  limits: { limiter: RateLimiter; userOf: (authorization: string) => Promise<string | undefined>; metrics?: RateLimitMetrics };
}

/** An answer the BFF gives itself, without calling the service (a malformed id, say). */
export interface DownloadRefusal {
  status: number;
  code: ErrorCode;
  message: string;
}

/** Options for {@link registerStreamedDownload}. */
export interface StreamedDownloadOptions extends DownloadCaller {
  /** The BFF's route, e.g. `/kyc/documents/:id`. */
  route: string;
  /** The service's base URL (its GraphQL URL will do: only the origin counts). */
  baseUrl: string;
  /** The service called: the audience of the service token. */
  audience: string;
  /** The service's path and query for this request, or a refusal sent without calling it. */
  target: (request: FastifyRequest) => string | DownloadRefusal;
  /** What the client reads when nobody is signed in (401) and when the service does not answer (503). */
  messages: { unauthenticated: string; unavailable: string };
  /** Downloads each user may make an hour on this route (the key names the route). */
  perHour: number;
}

/** Headers of the service's answer passed on to the client; `cache-control` is always `no-store`. */
const PASSED_ON = ['content-type', 'content-length', 'content-disposition', 'x-content-type-options'];

/** A service's 4xx body in the API's error shape: as sent when it is one, else made from the status. */
function refusalBody(status: number, text: string): unknown {
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] };
    if (typeof body.errors?.[0]?.extensions?.code === 'string') return body;
  } catch {
    // Not JSON: described by its status below.
  }
  return errorBody(codeForStatus(status), 'The request was refused.');
}

/**
 * A `GET` route that streams a file from another service for the signed-in
 * user: the BFF's service token for `audience` and the user's own
 * Authorization go with it, and the service decides what the user may read;
 * the BFF only carries the bytes, never cached. No user is 401; past the
 * route's hourly downloads per user, 429 RATE_LIMITED with `retryAfter`; a service that
 * does not answer (or fails with a 5xx) is 503 SERVICE_UNAVAILABLE; its own
 * refusals (4xx) reach the client with their status, in the error shape.
 */
export function registerStreamedDownload(app: FastifyInstance, options: StreamedDownloadOptions): void {
  const base = new URL(options.baseUrl);
  const { logger, messages } = options;
  const policy: RateLimitPolicy = { requestsPerWindow: options.perHour, windowMs: 3_600_000, costCapacity: 1_000_000, costRestoreRate: 1_000_000 };
  app.get(options.route, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const authorization = await options.authorizationOf(request);
    if (!authorization) return reply.code(401).send(errorBody(ErrorCode.UNAUTHENTICATED, messages.unauthenticated));
    const target = options.target(request);
    if (typeof target !== 'string') return reply.code(target.status).send(errorBody(target.code, target.message));
    const unavailable = () => reply.code(503).send(errorBody(ErrorCode.SERVICE_UNAVAILABLE, messages.unavailable));
    // Each download may read a year of rows or a whole file: a limit per user and route, refused while the limiter is away.
    const userId = await options.limits.userOf(authorization);
    if (!userId) return reply.code(401).send(errorBody(ErrorCode.UNAUTHENTICATED, messages.unauthenticated));
    let limit;
    try {
      limit = await options.limits.limiter.check(`download:${options.route}:${userId}`, 1, policy);
    } catch (err) {
      logger.warn({ err: (err as Error).message, route: options.route }, 'download limiter failed; refusing downloads');
      return unavailable();
    }
    if (!limit.allowed) {
      options.limits.metrics?.refused(`download:${options.route}`);
      const retryAfter = Math.max(1, Math.ceil(limit.retryAfterMs / 1000));
      reply.header('retry-after', String(retryAfter));
      return reply.code(429).send(errorBody(ErrorCode.RATE_LIMITED, `At most ${options.perHour} downloads an hour here.`, { retryAfter, limit: options.perHour }));
    }

    // Aborted when the head is late, or when the client leaves (which also stops a body being streamed).
    const abort = new AbortController();
    const late = setTimeout(() => abort.abort(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    reply.raw.once('close', () => abort.abort(new Error('the client left')));
    let upstream: Response;
    try {
      upstream = await fetch(new URL(target, base), {
        headers: { authorization, [SERVICE_TOKEN_HEADER]: await options.issueServiceToken(options.audience), 'x-request-id': request.id },
        signal: abort.signal,
        // The service token must never follow a redirect elsewhere.
        redirect: 'error',
      });
    } catch (err) {
      logger.warn({ err: (err as Error).message, route: options.route, service: options.audience }, 'download failed');
      return unavailable();
    } finally {
      clearTimeout(late);
    }
    if (!upstream.ok || !upstream.body) {
      const text = await upstream.text().catch(() => '');
      if (upstream.status >= 400 && upstream.status < 500) {
        return reply.code(upstream.status).type('application/json; charset=utf-8').send(refusalBody(upstream.status, text));
      }
      logger.warn({ status: upstream.status, route: options.route, service: options.audience }, 'download failed');
      return unavailable();
    }
    for (const name of PASSED_ON) {
      const value = upstream.headers.get(name);
      if (value) reply.header(name, value);
    }
    return reply.code(200).send(Readable.fromWeb(upstream.body as never));
  });
}
