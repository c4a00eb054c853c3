import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { errorBody } from '../errors/error-body';
import { ErrorCode } from '../errors/error-code';
import type { Logger } from '../logger';
import { createServerMetrics, type ServerMetrics } from './metrics';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';

/** The code a refusal by HTTP status carries. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 413:
      return ErrorCode.REQUEST_TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    default:
      return ErrorCode.BAD_USER_INPUT;
  }
}

/** A named dependency that `/health/ready` checks. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** Options for {@link createHttpServer}. */
export interface HttpServerOptions {
  /** Service name, for logs and metrics. */
  name: string;
  logger: Logger;
  /** Dependencies `/health/ready` checks. */
  readiness?: ReadinessCheck[];
  /** Largest request body in bytes; default 100 KiB. */
  bodyLimit?: number;
  /** How long one readiness check may take, in ms; default 1 s. */
  readinessTimeoutMs?: number;
  /**
   * Proxies whose X-Forwarded-For/-Proto/-Host are believed (addresses, CIDR ranges, or
   * `loopback`, `linklocal`, `uniquelocal`), so `request.ip` is the client's; default none.
   */
  trustedProxies?: string[];
}

/** A Fastify server with the endpoints every Meridian server has. */
export interface HttpServer {
  app: FastifyInstance;
  metrics: ServerMetrics;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The one server factory: request ids in and out, `/health/live`,
 * `/health/ready` (every dependency checked with a timeout), `/metrics`,
 * request duration metrics and a request body limit.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger at runtime; the cast keeps FastifyInstance's default generics.
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    // Fastify's own per-request lines are off: the onResponse hook below logs one line per request.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 100 * 1024,
    // Only named proxies: a client that could set X-Forwarded-For itself could pick its own address (and rate-limit key).
    trustProxy: options.trustedProxies && options.trustedProxies.length > 0 ? options.trustedProxies : false,
  });
  const metrics = createServerMetrics(options.name);

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
  });

  // Errors outside GraphQL (a body too large, a content type no route takes, an unknown path)
  // answer in the same shape as GraphQL errors, with a code from the catalogue and nothing internal.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.'));
    }
    return reply.code(status).send(errorBody(codeForStatus(status), error.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(ErrorCode.NOT_FOUND, `Nothing at ${request.method} ${request.url.split('?')[0]}.`)),
  );

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const results = await Promise.all(
      (options.readiness ?? []).map(async ({ name, check }) => {
        try {
          await withTimeout(check(), options.readinessTimeoutMs ?? 1_000);
          return { name, status: 'ok' };
        } catch (err) {
          options.logger.warn({ err, dependency: name }, 'readiness check failed');
          return { name, status: 'failing' };
        }
      }),
    );
    const ready = results.every((r) => r.status === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'failing', checks: results });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return { app, metrics };
}
