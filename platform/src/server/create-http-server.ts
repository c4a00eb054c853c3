import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { codeForStatus, errorBody } from '../errors/error-body';
import { ErrorCode } from '../errors/error-code';
import type { Logger } from '../logger';
import { nameServer } from '../telemetry';
import { createServerMetrics, type ServerMetrics } from './metrics';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';
import { useOriginFormOnly, useServiceAccess, type PublicRoute, type ServiceAccessOptions } from './use-service-access';

/** Routes every server answers without credentials: its health, and its metrics where they are served. */
export const HEALTH_ROUTES = ['/health/live', '/health/ready'] as const;
export const METRICS_ROUTE = '/metrics';

/** Health is public to GET and HEAD (probes use either); metrics to GET only, as Prometheus scrapes. */
const PUBLIC_HEALTH: PublicRoute[] = HEALTH_ROUTES.map((url) => ({ url, methods: ['GET', 'HEAD'] }));
const PUBLIC_METRICS: PublicRoute = { url: METRICS_ROUTE, methods: ['GET'] };

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
  /**
   * An internal server (the gateway, every subgraph): every route needs a
   * service token for it, except GET and HEAD of health, GET of metrics, and
   * `publicRoutes` (by URL and method).
   * Unset for the public BFFs.
   */
  serviceAccess?: Omit<ServiceAccessOptions, 'publicRoutes'> & { publicRoutes?: readonly PublicRoute[] };
  /**
   * Serve `/metrics` on this server's port; default true. The public BFFs turn it off and
   * serve metrics on an internal port instead ({@link createMetricsServer}).
   */
  metricsRoute?: boolean;
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
 * The one server factory: request targets in origin form only (anything else
 * is 400 before any route hook), request ids in and out, `/health/live`,
 * `/health/ready` (every dependency checked with a timeout), `/metrics`,
 * request duration metrics, a request body limit, and for internal servers a
 * service token on every route that is not explicitly public.
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
  // Spans of this server's requests say so, when one process runs several.
  nameServer(app.server, options.name);
  const metrics = createServerMetrics(options.name);
  const serveMetrics = options.metricsRoute ?? true;

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  useOriginFormOnly(app);
  if (options.serviceAccess) {
    useServiceAccess(app, {
      verify: options.serviceAccess.verify,
      publicRoutes: [...PUBLIC_HEALTH, ...(serveMetrics ? [PUBLIC_METRICS] : []), ...(options.serviceAccess.publicRoutes ?? [])],
    });
  }
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
  if (serveMetrics) {
    app.get(METRICS_ROUTE, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  }

  return { app, metrics };
}

/** What `/metrics` answers with: a server's registry, or a clustered primary's sum over its workers. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/**
 * A server of its own for `/metrics`, on an internal port that no ingress
 * routes: how the public BFFs expose metrics to Prometheus and nobody else.
 */
export function createMetricsServer(metrics: ServerMetrics | MetricsSource, logger: Logger): FastifyInstance {
  const source: MetricsSource = 'registry' in metrics ? metrics.registry : metrics;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  useOriginFormOnly(app);
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(ErrorCode.NOT_FOUND, `Nothing at ${request.method} ${request.url.split('?')[0]}.`)));
  app.get(METRICS_ROUTE, async (_request, reply) => reply.type(source.contentType).send(await source.metrics()));
  return app;
}
